@libvirt @libvirt-11.3
Feature: libvirt 11.3 memory hotplug on top of QEMU 10.0
  What libvirt 11.3 (Debian 13's, driving QEMU 10.0.2) does differently from 9.0 with <memory model='dimm'>.
  Runs with the libvirt-11.3 profile (npm run scenarios -- -p libvirt-11.3); everything else in
  features/libvirt.feature holds for both versions. Every expected value comes from a transcript recorded
  from real libvirt 11.3 (test/libvirt-11.3/*.libvirt.json; the name is given with each scenario).

  Rule: domains 9.0 refused and 11.3 accepts (define-max-no-numa, numa-auto-add, define-max-no-slots, max-no-slots-attach)

    Scenario: maxMemory without <numa>: libvirt adds NUMA node 0 with the initial memory
      Given a domain defined by the file "max-no-numa.xml"
      Then the live domain XML shows:
        """
        <cpu>
          <numa>
            <cell id='0' cpus='0' memory='1048576' unit='KiB'/>
          </numa>
        </cpu>
        """
      When I attach the device file "devices/seed.xml"
      Then virsh prints "Device attached successfully"
      And DIMM "dimm0" is in slot 0 at 0x100000000

    Scenario: on the automatic node a hot-added DIMM still needs its <node>
      Given a domain defined by the file "max-no-numa.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size></target></memory>
        """
      Then it fails with "unsupported configuration: target NUMA node needs to be specified for memory device"
      And libvirt sent no QMP commands
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>1</node></target></memory>
        """
      Then it fails with "can't add memory backend for guest node '1' as the guest has only '1' NUMA nodes configured"

    Scenario: maxMemory without slots starts, and no DIMM fits
      Given a domain defined by the file "max-no-slots.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then it fails with "unsupported configuration: count of memory devices requiring memory slots '1' exceeds slots count '0'"
      And libvirt sent no QMP commands
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='0'/></memory>
        """
      Then it fails with "unsupported configuration: memory device slot '0' exceeds slots count '0'"

  Rule: checks that moved or changed their words (slot-count, order-slot-before-node, xml-refusals)

    Scenario: a fifth DIMM for four slots: "count of memory devices requiring memory slots"
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then virsh fails with:
        """
        error: unsupported configuration: count of memory devices requiring memory slots '5' exceeds slots count '4'
        """
      And libvirt sent no QMP commands

    Scenario: the slot is checked before the missing node
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size></target><address type='dimm' slot='9'/></memory>
        """
      Then it fails with "unsupported configuration: memory device slot '9' exceeds slots count '4'"

    Scenario: malformed device XML: "at line N" and, at the end of the input, the last line
      Given a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target>
        """
      Then virsh fails with:
        """
        error: at line 1: Premature end of data in tag memory line 1
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target>
        ----------------------------------------------------------------------------------^
        """
      When I attach the device file "devices/unclosed.xml"
      Then virsh fails with:
        """
        error: at line 2: Premature end of data in tag memory line 1
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target>
        ----------------------------------------------------------------------------------^
        """

  Rule: libvirt checks address ranges itself, before any QMP (base-inside-dimm, busy-slot-base, overlap-ranges)

    Scenario: a base inside another DIMM is libvirt's refusal now; QEMU never sees it
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x140000000'/></memory>
        """
      Then it fails with "unsupported configuration: memory device address [0x140000000:0x160000000] overlaps with other memory device (0x100000000)"
      And libvirt sent no QMP commands
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

    Scenario: a range that ends exactly where another starts does not overlap
      Given a domain defined by the file "pc.xml"
      And I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>1048576</size><node>0</node></target><address type='dimm' slot='0' base='0x100000000'/></memory>
        """
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>262144</size><node>0</node></target><address type='dimm' slot='1' base='0x13ff00000'/></memory>
        """
      Then it fails with "unsupported configuration: memory device address [0x13ff00000:0x14ff00000] overlaps with other memory device (0x100000000)"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x140000000'/></memory>
        """
      Then virsh prints "Device attached successfully"
