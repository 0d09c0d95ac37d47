@libvirt
Feature: libvirt 9.0 memory hotplug on top of QEMU 7.2
  virsh attach-device / detach-device of <memory model='dimm'> on a running domain: libvirt's own checks
  and messages, the exact QMP it sends, what virsh prints and the live domain XML. Every expected value
  comes from a transcript recorded from real libvirt 9.0 (test/libvirt/*.libvirt.json) or from
  /work/shared/reference/libvirt-oracle-recipe.md. Domains and device files live in features/domains/.
  The domains are TCG, paused, with libvirt's default devices (a balloon and a USB controller; three
  PCIe root ports on q35), 1 GiB, <maxMemory slots='4'> 8 GiB and one NUMA cell unless said otherwise.

  Rule: the seed attach (seed-pc, seed-q35, pc-min; recipe §0, §4.1-4.3)

    Scenario: the seed DIMM on pc takes slot 0 and the bottom of device memory
      Given a domain defined by the file "pc.xml"
      When I attach the device file "devices/seed.xml"
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 2147483648}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And no event is emitted
      And the live domain XML shows:
        """
        <maxMemory slots='4' unit='KiB'>8388608</maxMemory>
        <memory unit='KiB'>3145728</memory>
        <currentMemory unit='KiB'>3145728</currentMemory>
        <devices>
          <memory model='dimm'>
            <target>
              <size unit='KiB'>2097152</size>
              <node>0</node>
            </target>
            <alias name='dimm0'/>
            <address type='dimm' slot='0' base='0x100000000'/>
          </memory>
        </devices>
        """
      And the memory devices are:
        | id    | slot | addr        | size       | node | memdev   | hotplugged |
        | dimm0 | 0    | 0x100000000 | 2147483648 | 0    | memdimm0 | true       |
      And QMP '{"execute": "query-balloon"}' returns:
        """
        {"actual": 3221225472}
        """

    Scenario: the seed DIMM on q35: the same QMP and the same live XML
      Given a domain defined by the file "q35.xml"
      When I attach the device XML:
        """
        <memory model="dimm"><target><size unit="KiB">2097152</size><node>0</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        [
          {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 2147483648}},
          {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}},
          {"execute": "query-balloon"},
          {"execute": "query-memory-devices"},
          {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        ]
        """
      And the live domain XML shows:
        """
        <memory unit='KiB'>3145728</memory>
        <currentMemory unit='KiB'>3145728</currentMemory>
        <devices>
          <memory model='dimm'>
            <target><size unit='KiB'>2097152</size><node>0</node></target>
            <alias name='dimm0'/>
            <address base='0x100000000' slot='0' type='dimm'/>
          </memory>
        </devices>
        """
      And DIMM "dimm0" is in slot 0 at 0x100000000

    Scenario: without a memballoon libvirt sends no query-balloon (pc-min)
      Given a domain defined by the file "pc-min.xml"
      When I attach the device file "devices/seed.xml"
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 2147483648}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And QMP '{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}' returns:
        """
        [{"name": "type", "type": "string"}, {"name": "dimm0", "type": "child<pc-dimm>"}]
        """
      When I detach the device file "devices/seed.xml" while the guest ejects it
      Then virsh prints "Device detached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm0"}}
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And there are no memory devices

    Scenario: a versioned q35 machine (pc-q35-7.2) plugs and unplugs the same way
      Given a domain defined by the file "q35-versioned.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      When I detach the device file "devices/dimm-512m.xml" while the guest ejects it
      Then virsh prints "Device detached successfully"
      And the event DEVICE_DELETED is emitted with:
        """
        {"device": "dimm0", "path": "/machine/peripheral/dimm0"}
        """
      And there are no memory devices

  Rule: detach-device (seed-pc, detach-no-eject, later-eject-q35, unsolicited-eject; recipe §6)

    Scenario: a guest that ejects while libvirt waits completes the detach
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      When I detach the device XML while the guest ejects it:
        """
        <memory model='dimm'><target><size unit='KiB'>2097152</size><node>0</node></target></memory>
        """
      Then virsh prints "Device detached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm0"}}
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        {"execute": "query-balloon"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And the event DEVICE_DELETED is emitted with:
        """
        {"device": "dimm0", "path": "/machine/peripheral/dimm0"}
        """
      And the live domain XML shows:
        """
        <memory unit='KiB'>1048576</memory>
        """
      And the live domain has no memory devices
      And there are no memory devices

    Scenario: nobody ejects: libvirt's wait ends, virsh still prints success and the DIMM stays
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      When I detach the device file "devices/seed.xml"
      Then virsh prints "Device detached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm0"}}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And no event is emitted
      And the live domain XML is unchanged
      And the live domain XML shows:
        """
        <memory unit='KiB'>3145728</memory>
        <devices>
          <memory model='dimm'>
            <target><size unit='KiB'>2097152</size><node>0</node></target>
            <alias name='dimm0'/>
            <address type='dimm' slot='0' base='0x100000000'/>
          </memory>
        </devices>
        """
      And QMP '{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}' returns:
        """
        [{"name": "type", "type": "string"}, {"name": "dimm0", "type": "child<pc-dimm>"}, {"name": "balloon0", "type": "child<virtio-balloon-pci>"}, {"name": "usb", "type": "child<piix3-usb-uhci>"}]
        """

    Scenario: a second detach while the unplug is pending asks again; the eject then removes the DIMM
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I detach the device file "devices/dimm-512m.xml"
      When I detach the device file "devices/dimm-512m.xml"
      Then virsh prints "Device detached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm0"}}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And the memory devices are:
        | id    | slot | addr        | size      | node | hotplugged |
        | dimm0 | 0    | 0x100000000 | 536870912 | 0    | true       |
      When qtest runs "outl 0xa00 0x0"
      Then qtest "inb 0xa14" answers "OK 0x0007"
      When qtest runs "outb 0xa14 0x8"
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        {"execute": "query-balloon"}
        """
      And the event DEVICE_DELETED is emitted with:
        """
        {"device": "dimm0", "path": "/machine/peripheral/dimm0"}
        """
      And there are no memory devices
      When I detach the device file "devices/dimm-512m.xml"
      Then virsh fails with:
        """
        error: device not found: model 'dimm' memory device not present in the domain configuration
        """
      And libvirt sent no QMP commands

    Scenario: a later guest eject completes the removal (q35)
      Given a domain defined by the file "q35.xml"
      And I attach the device file "devices/seed.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I detach the device file "devices/dimm-512m.xml"
      When the guest ejects slot 1
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-del", "arguments": {"id": "memdimm1"}}
        {"execute": "query-balloon"}
        """
      And the event DEVICE_DELETED is emitted with:
        """
        {"device": "dimm1", "path": "/machine/peripheral/dimm1"}
        """
      And the memory devices are:
        | id    | slot | addr        | size       | node |
        | dimm0 | 0    | 0x100000000 | 2147483648 | 0    |
      And the live domain XML shows:
        """
        <devices>
          <memory model='dimm'>
            <target><size unit='KiB'>2097152</size><node>0</node></target>
            <alias name='dimm0'/>
            <address type='dimm' slot='0' base='0x100000000'/>
          </memory>
        </devices>
        """
      When I attach the device file "devices/dimm-512m.xml"
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm1", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm1", "id": "dimm1", "slot": 1}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And DIMM "dimm1" is in slot 1 at 0x180000000

    Scenario: an unsolicited eject (no detach-device) is handled like a late one
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/seed.xml"
      When the guest ejects slot 1
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-del", "arguments": {"id": "memdimm1"}}
        {"execute": "query-balloon"}
        """
      And the memory devices are:
        | id    | slot | addr        | size      | node |
        | dimm0 | 0    | 0x100000000 | 536870912 | 0    |
      When I attach the device file "devices/dimm-512m.xml"
      Then virsh prints "Device attached successfully"
      And the memory devices are:
        | id    | slot | addr        | size      | node |
        | dimm0 | 0    | 0x100000000 | 536870912 | 0    |
        | dimm1 | 1    | 0x120000000 | 536870912 | 0    |

    Scenario: detaching what is not there: wrong size, slot without base, after removal
      Given a domain defined by the file "pc.xml"
      When I detach the device file "devices/seed.xml"
      Then virsh fails with:
        """
        error: device not found: model 'dimm' memory device not present in the domain configuration
        """
      And libvirt sent no QMP commands
      Given I attach the device file "devices/dimm-512m.xml"
      When I detach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>1048576</size><node>0</node></target></memory>
        """
      Then it fails with "device not found: model 'dimm' memory device not present in the domain configuration"
      And the live domain XML is unchanged
      When I detach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='0'/></memory>
        """
      Then it fails with "device not found: model 'dimm' memory device not present in the domain configuration"
      When I detach the device XML while the guest ejects it:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='0' base='0x100000000'/></memory>
        """
      Then virsh prints "Device detached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm0"}}
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        {"execute": "query-balloon"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      When I detach the device file "devices/dimm-512m.xml"
      Then it fails with "device not found: model 'dimm' memory device not present in the domain configuration"

  Rule: explicit addresses, units, NUMA nodes and cold-plugged DIMMs

    Scenario: an explicit slot and base: alias and backend follow the slot, addr is the last argument
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x140000000'/></memory>
        """
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm1", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm1", "id": "dimm1", "slot": 1, "addr": 5368709120}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      When I attach the device file "devices/dimm-512m.xml"
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='2'/></memory>
        """
      Then the memory devices are:
        | id    | slot | addr        | size      | node | memdev   |
        | dimm0 | 0    | 0x100000000 | 536870912 | 0    | memdimm0 |
        | dimm2 | 2    | 0x120000000 | 536870912 | 0    | memdimm2 |
        | dimm1 | 1    | 0x140000000 | 536870912 | 0    | memdimm1 |
      And the live domain XML shows:
        """
        <devices>
          <memory model='dimm'>
            <target><size unit='KiB'>524288</size><node>0</node></target>
            <alias name='dimm1'/>
            <address type='dimm' slot='1' base='0x140000000'/>
          </memory>
          <memory model='dimm'>
            <target><size unit='KiB'>524288</size><node>0</node></target>
            <alias name='dimm0'/>
            <address type='dimm' slot='0' base='0x100000000'/>
          </memory>
          <memory model='dimm'>
            <target><size unit='KiB'>524288</size><node>0</node></target>
            <alias name='dimm2'/>
            <address type='dimm' slot='2' base='0x120000000'/>
          </memory>
        </devices>
        """
      When I detach the device XML while the guest ejects it:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='2' base='0x120000000'/></memory>
        """
      Then libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm2"}}
        {"execute": "object-del", "arguments": {"id": "memdimm2"}}
        {"execute": "query-balloon"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And the memory devices are:
        | id    | slot | addr        |
        | dimm0 | 0    | 0x100000000 |
        | dimm1 | 1    | 0x140000000 |

    Scenario: sizes in GiB and without a unit; MB that QEMU refuses
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='GiB'>1</size><node>0</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And the live domain XML shows:
        """
        <memory model='dimm'>
          <target><size unit='KiB'>1048576</size><node>0</node></target>
          <alias name='dimm0'/>
          <address type='dimm' slot='0' base='0x100000000'/>
        </memory>
        """
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='MB'>600</size><node>0</node></target></memory>
        """
      Then virsh fails with:
        """
        error: internal error: unable to execute QEMU command 'device_add': backend memory size must be multiple of 0x200000
        """
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm1", "size": 600834048}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm1", "id": "dimm1", "slot": 1}}
        {"execute": "object-del", "arguments": {"id": "memdimm1"}}
        """
      When I attach the device XML:
        """
        <memory model='dimm'><target><size>262144</size><node>0</node></target></memory>
        """
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm1", "size": 268435456}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm1", "id": "dimm1", "slot": 1}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And the memory devices are:
        | id    | slot | addr        | size       |
        | dimm0 | 0    | 0x100000000 | 1073741824 |
        | dimm1 | 1    | 0x140000000 | 268435456  |

    Scenario: a DIMM on the second NUMA node of a two-node domain
      Given a domain defined by the file "two-nodes.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>1</node></target></memory>
        """
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 1, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>2</node></target></memory>
        """
      Then it fails with "can't add memory backend for guest node '2' as the guest has only '2' NUMA nodes configured"
      And libvirt sent no QMP commands
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>1048576</size><node>0</node></target></memory>
        """
      Then the memory devices are:
        | id    | slot | addr        | size       | node |
        | dimm0 | 0    | 0x100000000 | 536870912  | 1    |
        | dimm1 | 1    | 0x120000000 | 1073741824 | 0    |
      When I detach the device XML while the guest ejects it:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>1</node></target></memory>
        """
      Then the memory devices are:
        | id    | slot | addr        | size       | node |
        | dimm1 | 1    | 0x120000000 | 1073741824 | 0    |

    Scenario: a cold-plugged 513 MiB DIMM starts as 514 MiB (2 MiB rounding at start-up)
      Given a domain defined by the file "cold-dimm-513.xml"
      Then the memory devices are:
        | id    | slot | addr        | size      | node | memdev   | hotplugged |
        | dimm0 | 0    | 0x100000000 | 538968064 | 0    | memdimm0 | false      |
      And the live domain XML shows:
        """
        <memory unit='KiB'>1574912</memory>
        """
      When I detach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>525312</size><node>0</node></target></memory>
        """
      Then it fails with "device not found: model 'dimm' memory device not present in the domain configuration"
      When I detach the device XML while the guest ejects it:
        """
        <memory model='dimm'><target><size unit='KiB'>526336</size><node>0</node></target></memory>
        """
      Then virsh prints "Device detached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "device_del", "arguments": {"id": "dimm0"}}
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        {"execute": "query-balloon"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And there are no memory devices

    Scenario: a cold-plugged DIMM in slot 2 keeps its slot; hot-plugged DIMMs take the lowest free one
      Given a domain defined by the file "cold-dimm-slot2.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      And the memory devices are:
        | id    | slot | addr        | size       | hotplugged |
        | dimm2 | 2    | 0x100000000 | 1073741824 | false      |
        | dimm0 | 0    | 0x140000000 | 536870912  | true       |
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='2'/></memory>
        """
      Then it fails with "unsupported configuration: memory device slot '2' is already being used by another memory device"

  Rule: refusals libvirt makes itself send no QMP (recipe §5)

    Scenario: a domain without <maxMemory> cannot hotplug
      Given a domain defined by the file "no-maxmemory.xml"
      When I attach the device file "devices/seed.xml"
      Then virsh fails with:
        """
        error: unsupported configuration: cannot use/hotplug a memory device when domain 'maxMemory' is not defined
        """
      And libvirt sent no QMP commands
      And the live domain XML is unchanged
      And the machine is unchanged
      When I detach the device file "devices/seed.xml"
      Then it fails with "device not found: model 'dimm' memory device not present in the domain configuration"

    Scenario: a domain without NUMA cells cannot hotplug
      Given a domain defined by the file "no-numa.xml"
      When I attach the device file "devices/seed.xml"
      Then it fails with "can't add memory backend as guest has no NUMA nodes configured"
      And libvirt sent no QMP commands
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size></target></memory>
        """
      Then it fails with "unsupported configuration: cannot use/hotplug a memory device when domain 'maxMemory' is not defined"

    Scenario Outline: NUMA node refusals: <case>
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node-element></target></memory>
        """
      Then it fails with "<error>"
      And libvirt sent no QMP commands
      And the machine is unchanged

      Examples:
        | case          | node-element   | error                                                                                     |
        | out of range  | <node>1</node> | can't add memory backend for guest node '1' as the guest has only '1' NUMA nodes configured |
        | negative      | <node>-1</node> | XML error: invalid value of memory device node                                           |
        | not a number  | <node>x</node> | XML error: invalid value of memory device node                                            |
        | missing       |                | unsupported configuration: target NUMA node needs to be specified for memory device       |

    Scenario: a DIMM larger than maxMemory allows, 1 KiB over, and a full domain
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>8388608</size><node>0</node></target></memory>
        """
      Then it fails with "unsupported configuration: Attaching memory device with size '8388608' would exceed domain's maxMemory config size '8388608'"
      And libvirt sent no QMP commands
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>7340033</size><node>0</node></target></memory>
        """
      Then it fails with "unsupported configuration: Attaching memory device with size '7340033' would exceed domain's maxMemory config size '8388608'"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>7340032</size><node>0</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And DIMM "dimm0" is in slot 0 at 0x100000000
      And the plugged memory is 7516192768
      When I attach the device file "devices/dimm-512m.xml"
      Then it fails with "unsupported configuration: Attaching memory device with size '524288' would exceed domain's maxMemory config size '8388608'"
      And libvirt sent no QMP commands

    @libvirt-9.0
    Scenario: slots: out of range, and a fifth DIMM when all four are used
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='9'/></memory>
        """
      Then it fails with "unsupported configuration: memory device slot '9' exceeds slots count '4'"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='4'/></memory>
        """
      Then it fails with "unsupported configuration: memory device slot '4' exceeds slots count '4'"
      Given I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then virsh fails with:
        """
        error: unsupported configuration: memory device count '5' exceeds slots count '4'
        """
      And libvirt sent no QMP commands
      And the memory devices are:
        | id    | slot | addr        |
        | dimm0 | 0    | 0x100000000 |
        | dimm1 | 1    | 0x120000000 |
        | dimm2 | 2    | 0x140000000 |
        | dimm3 | 3    | 0x160000000 |

    Scenario Outline: a busy slot or base: <case>
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/dimm-512m.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' <address>/></memory>
        """
      Then it fails with "<error>"
      And libvirt sent no QMP commands
      And the live domain XML is unchanged
      And the machine is unchanged

      Examples:
        | case                                    | address                       | error                                                                                               |
        | slot in use                             | slot='0'                      | unsupported configuration: memory device slot '0' is already being used by another memory device   |
        | slot checked before an unaligned base   | slot='0' base='0x100100000'   | unsupported configuration: memory device slot '0' is already being used by another memory device   |

      @libvirt-9.0
      Examples: libvirt 9.0 compares bases only
        | case                                    | address                       | error                                                                                               |
        | base in use                             | slot='1' base='0x100000000'   | unsupported configuration: memory device base '0x100000000' is already being used by another memory device |

      @libvirt-11.3
      Examples: libvirt 11.3 compares address ranges
        | case                                    | address                       | error                                                                                               |
        | base in use                             | slot='1' base='0x100000000'   | unsupported configuration: memory device address [0x100000000:0x120000000] overlaps with other memory device (0x100000000) |
        | a base inside it                        | slot='1' base='0x110000000'   | unsupported configuration: memory device address [0x110000000:0x130000000] overlaps with other memory device (0x100000000) |

    Scenario Outline: device XML that libvirt cannot use: <case>
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <xml>
        """
      Then it fails with "<error>"
      And libvirt sent no QMP commands

      Examples:
        | case                 | xml                                                                                                                                                        | error                                                                                 |
        | an unknown model     | <memory model='foo'><target><size unit='KiB'>524288</size><node>0</node></target></memory>                                                                 | XML error: Invalid value for attribute 'model' in element 'memory': 'foo'.            |
        | no model             | <memory><target><size unit='KiB'>524288</size><node>0</node></target></memory>                                                                             | XML error: Missing required attribute 'model' in element 'memory'                     |
        | no target            | <memory model='dimm'/>                                                                                                                                     | XML error: missing <target> element for <memory> device                               |
        | no size              | <memory model='dimm'><target><node>0</node></target></memory>                                                                                              | XML error: missing element or attribute './size'                                      |
        | a pci address        | <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/></memory> | unsupported configuration: only 'dimm' addresses are supported for the pc-dimm device |
        | a dimm address without slot | <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm'/></memory>                                    | XML error: Missing required attribute 'slot' in element 'address'                     |
        | an unknown unit      | <memory model='dimm'><target><size unit='parsecs'>1</size><node>0</node></target></memory>                                                                 | invalid argument: unknown suffix 'parsecs'                                            |
        | a size that is not a number | <memory model='dimm'><target><size unit='KiB'>abc</size><node>0</node></target></memory>                                                            | XML error: Invalid value 'abc' for element or attribute './size'                      |

      @libvirt-9.0
      Examples: libvirt 9.0
        | case                 | xml                                                                                                                | error                                                   |
        | an unknown address   | <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='bogus'/></memory> | unsupported configuration: unknown address type 'bogus' |

      @libvirt-11.3
      Examples: libvirt 11.3
        | case                 | xml                                                                                                                | error                                                                       |
        | an unknown address   | <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='bogus'/></memory> | XML error: Invalid value for attribute 'type' in element 'address': 'bogus'. |

    @libvirt-9.0
    Scenario: malformed device XML gets libxml2's message, context line and pointer
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target>
        """
      Then virsh fails with:
        """
        error: (device_definition):1: Premature end of data in tag memory line 1
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target>
        ----------------------------------------------------------------------------------^
        """
      And libvirt sent no QMP commands
      When I attach the device file "devices/unclosed.xml"
      Then virsh fails with:
        """
        error: (device_definition):2: Premature end of data in tag memory line 1
        (null)
        ^
        """
      When I attach the device XML:
        """
        this is not xml
        """
      Then virsh fails with:
        """
        error: (device_definition):1: Start tag expected, '<' not found
        this is not xml
        ^
        """
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></memory>
        """
      Then virsh fails with:
        """
        error: (device_definition):1: Opening and ending tag mismatch: target line 1 and memory
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></memory>
        ----------------------------------------------------------------------------------^
        """

  Rule: refusals QEMU makes, passed through by libvirt (recipe §5, §9)

    Scenario: 513 MiB is 1 MiB- but not 2 MiB-aligned: QEMU refuses device_add, libvirt deletes the backend
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>525312</size><node>0</node></target></memory>
        """
      Then virsh fails with:
        """
        error: internal error: unable to execute QEMU command 'device_add': backend memory size must be multiple of 0x200000
        """
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 537919488}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        """
      And the live domain XML is unchanged
      And there are no memory devices
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524289</size><node>0</node></target></memory>
        """
      Then it fails with "internal error: unable to execute QEMU command 'device_add': backend memory size must be multiple of 0x200000"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 537919488}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "object-del", "arguments": {"id": "memdimm0"}}
        """

    Scenario: size 0 is refused by QEMU's object-add, and libvirt sends no object-del
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>0</size><node>0</node></target></memory>
        """
      Then it fails with "internal error: unable to execute QEMU command 'object-add': property 'size' of memory-backend-ram doesn't take value '0'"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 0}}
        """
      And the live domain XML is unchanged
      And the machine is unchanged

    @libvirt-9.0
    Scenario: a base inside another DIMM is QEMU's refusal; a free base is accepted
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x140000000'/></memory>
        """
      Then it fails with "internal error: unable to execute QEMU command 'device_add': address range conflicts with memory device id='dimm0'"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm1", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm1", "id": "dimm1", "slot": 1, "addr": 5368709120}}
        {"execute": "object-del", "arguments": {"id": "memdimm1"}}
        """
      And the live domain XML is unchanged
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x180000000'/></memory>
        """
      Then virsh prints "Device attached successfully"
      And the memory devices are:
        | id    | slot | addr        | size       |
        | dimm0 | 0    | 0x100000000 | 2147483648 |
        | dimm1 | 1    | 0x180000000 | 536870912  |

    @libvirt-9.0
    Scenario: an unaligned base on a free slot is QEMU's refusal
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/dimm-512m.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x100100000'/></memory>
        """
      Then it fails with "internal error: unable to execute QEMU command 'device_add': address must be aligned to 0x200000 bytes"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm1", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm1", "id": "dimm1", "slot": 1, "addr": 4296015872}}
        {"execute": "object-del", "arguments": {"id": "memdimm1"}}
        """

  Rule: define-time refusals (virsh define; recipe §5)

    Scenario Outline: virsh define refuses <case>
      When a domain is defined by the file "<file>"
      Then it fails with "<error>"

      Examples:
        | case                                | file                   | error                                                                                        |
        | maxMemory below memory              | max-below-memory.xml   | XML error: maximum memory size must be equal or greater than the actual memory size          |
        | five cold DIMMs for four slots      | five-dimms.xml         | internal error: failed to find an empty memory slot                                          |
        | an unknown machine type             | unknown-machine.xml    | XML error: No PCI buses available                                                            |
        | a cold DIMM on a missing node       | cold-dimm-bad-node.xml | can't add memory backend for guest node '3' as the guest has only '1' NUMA nodes configured  |
        | a cold DIMM without a node          | cold-dimm-no-node.xml  | unsupported configuration: target NUMA node needs to be specified for memory device          |

      @libvirt-9.0
      Examples: libvirt 9.0 (11.3 accepts both: features/libvirt-11.3.feature)
        | case                                | file                   | error                                                                                        |
        | maxMemory without a NUMA cell       | max-no-numa.xml        | unsupported configuration: At least one numa node has to be configured when enabling memory hotplug |
        | maxMemory without slots             | max-no-slots.xml       | XML error: both maximum memory size and memory slot count must be specified                  |

    @libvirt-9.0
    Scenario: virsh's error lines for a define refusal, as the transcript records them
      When a domain is defined by:
        """
        <domain type='qemu'>
          <name>hp-bad</name>
          <memory unit='KiB'>1048576</memory>
          <maxMemory slots='4' unit='KiB'>8388608</maxMemory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <features><acpi/></features>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
          </devices>
        </domain>
        """
      Then virsh fails with:
        """
        error: unsupported configuration: At least one numa node has to be configured when enabling memory hotplug
        """

  Rule: real-world domains, as virt-install, virt-manager, Nova and virsh dumpxml write them (features/domains/real-world/, recorded in test/libvirt/real-*)

    @libvirt-9.0
    Scenario Outline: <case> defines, starts and takes a DIMM in slot 0
      Given a domain defined by the file "real-world/<file>"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node><cell></node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 536870912}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": <cell>, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """
      Examples:
        | case                                                     | file                          | cell |
        | virt-install Fedora on q35 (spice, qxl-less virtio video) | vi-fedora-q35.xml             | 0    |
        | a headless Ubuntu server on q35                          | vi-ubuntu-headless-q35.xml    | 0    |
        | Windows 10 on pc (ide, e1000, ich6, hyperv)              | vm-win10-pc.xml               | 0    |
        | an OpenStack Nova instance on q35                        | nova-q35.xml                  | 0    |
        | a Nova instance on pc with every PCI address given       | nova-pc-addresses.xml         | 0    |
        | q35 with virtio-scsi and e1000e                          | q35-virtio-scsi.xml           | 0    |
        | q35 with conventional PCI devices behind a bridge        | q35-legacy-pci.xml            | 0    |
        | pc with an EHCI controller and UHCI companions           | pc-ehci-companions.xml        | 0    |
        | pc with a pci-bridge                                     | pc-pci-bridge.xml             | 0    |
        | q35 with virtio inputs and bochs-display                 | q35-virtio-inputs.xml         | 0    |
        | a q35 desktop with spice, qxl and ich9 sound             | q35-spice-desktop.xml         | 0    |
        | q35 saved by virt-manager with its root ports            | q35-explicit-root-ports.xml   | 0    |
        | a pasted virsh dumpxml of a running q35 domain           | dumpxml-live-fedora-q35.xml   | 0    |
        | a pasted virsh dumpxml of a running pc domain            | dumpxml-live-win10-pc.xml     | 0    |
        | virt-manager's spice q35: usb redirection, ib700, pvpanic | q35-spice-redirdev.xml        | 0    |

    @libvirt-9.0
    Scenario: libvirt's devices are QOM children of /machine/peripheral under their aliases (virt-install's Fedora)
      Given a domain defined by the file "real-world/vi-fedora-q35.xml"
      Then QMP '{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}' returns:
        """
        [{"name": "type", "type": "string"}, {"name": "input0", "type": "child<usb-tablet>"}, {"name": "sata0-0-0", "type": "child<ide-cd>"}, {"name": "pci.7", "type": "child<pcie-root-port>"}, {"name": "pci.4", "type": "child<pcie-root-port>"}, {"name": "pci.1", "type": "child<pcie-root-port>"}, {"name": "video0", "type": "child<virtio-vga>"}, {"name": "serial0", "type": "child<isa-serial>"}, {"name": "balloon0", "type": "child<virtio-balloon-pci>"}, {"name": "pci.6", "type": "child<pcie-root-port>"}, {"name": "usb", "type": "child<qemu-xhci>"}, {"name": "pci.3", "type": "child<pcie-root-port>"}, {"name": "channel1", "type": "child<virtserialport>"}, {"name": "virtio-disk0", "type": "child<virtio-blk-pci>"}, {"name": "sound0-codec0", "type": "child<hda-duplex>"}, {"name": "pci.5", "type": "child<pcie-root-port>"}, {"name": "pci.2", "type": "child<pcie-root-port>"}, {"name": "channel0", "type": "child<virtserialport>"}, {"name": "net0", "type": "child<virtio-net-pci>"}, {"name": "virtio-serial0", "type": "child<virtio-serial-pci>"}, {"name": "sound0", "type": "child<ich9-intel-hda>"}, {"name": "rng0", "type": "child<virtio-rng-pci>"}]
        """

    @libvirt-9.0
    Scenario: USB companions have no id; an EHCI master keeps the alias usb
      Given a domain defined by the file "real-world/pc-ehci-companions.xml"
      Then QMP '{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}' returns:
        """
        [{"name": "type", "type": "string"}, {"name": "usb", "type": "child<ich9-usb-ehci1>"}, {"name": "video0", "type": "child<cirrus-vga>"}, {"name": "balloon0", "type": "child<virtio-balloon-pci>"}, {"name": "ide0-1-0", "type": "child<ide-cd>"}, {"name": "virtio-disk0", "type": "child<virtio-blk-pci>"}, {"name": "sound0", "type": "child<AC97>"}, {"name": "input0", "type": "child<usb-tablet>"}, {"name": "net0", "type": "child<rtl8139>"}]
        """

    @libvirt-9.0
    Scenario: a pasted virsh dumpxml (aliases, addresses, seclabel, resource) takes a DIMM like the domain it came from
      Given a domain defined by the file "real-world/dumpxml-live-win10-pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And the memory devices are:
        | id    | slot | addr        | size      | node | memdev   | hotplugged |
        | dimm0 | 0    | 0x140000000 | 536870912 | 0    | memdimm0 | true       |

    @libvirt-9.0
    Scenario: <numatune> binds a hot-plugged DIMM's backend to the host nodes
      Given a domain defined by the file "real-world/q35-two-nodes.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>1</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 536870912, "host-nodes": [0], "policy": "bind"}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 1, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """

    @libvirt-9.0
    Scenario: an interface on a libvirt network needs the network driver, which the referee's libvirtd does not load
      When a domain is defined by the file "real-world/q35-network-interface.xml"
      Then virsh fails with:
        """
        error: Failed to start domain 'netguest'
        error: no connection driver available for network:///system
        """

    # @model-only: the mem-path lies in libvirt's memory_backing_dir, which exists only inside the referee's
    # private libvirtd namespace; real QEMU here cannot open it (the recording in test/libvirt/ is the referee).
    @libvirt-9.0 @model-only
    Scenario: file-backed shared memory (virtiofs style): a hot-plugged DIMM gets its own file in libvirt's memory_backing_dir
      Given a domain defined by the file "real-world/q35-file-shared.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>262144</size><node>0</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-file", "id": "memdimm0", "mem-path": "/var/lib/libvirt/qemu/ram/1-virtiofs-guest/dimm0", "share": true, "size": 268435456}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """

    # @model-only: the mem-path lies in libvirt's memory_backing_dir, which exists only inside the referee's
    # private libvirtd namespace; real QEMU here cannot open it (the recording in test/libvirt/ is the referee).
    @libvirt-9.0 @model-only
    Scenario: a DIMM's own access and discard make its backend a private file with discard-data
      Given a domain defined by the file "real-world/pc-memaccess-cells.xml"
      When I attach the device XML:
        """
        <memory model='dimm' access='private' discard='yes'><target><size unit='KiB'>262144</size><node>1</node></target></memory>
        """
      Then virsh prints "Device attached successfully"
      And libvirt sent these QMP commands:
        """
        {"execute": "object-add", "arguments": {"qom-type": "memory-backend-file", "id": "memdimm0", "mem-path": "/var/lib/libvirt/qemu/ram/1-memaccess/dimm0", "discard-data": true, "share": false, "size": 268435456}}
        {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 1, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}
        {"execute": "query-balloon"}
        {"execute": "query-memory-devices"}
        {"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}
        """

    @libvirt-9.0
    Scenario: hugepages need a hugetlbfs mount, which the referee host does not have
      When a domain is defined by:
        """
        <domain type='qemu'>
          <name>huge</name>
          <maxMemory slots='4' unit='KiB'>4194304</maxMemory>
          <memory unit='KiB'>1048576</memory>
          <memoryBacking><hugepages/></memoryBacking>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <features><acpi/></features>
          <cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>
          <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
        </domain>
        """
      Then virsh fails with:
        """
        error: Failed to start domain 'huge'
        error: internal error: hugetlbfs filesystem is not mounted or disabled by administrator config
        """
