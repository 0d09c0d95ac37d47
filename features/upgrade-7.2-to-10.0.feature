@upgrade @libvirt
Feature: Upgrading from Debian 12 (QEMU 7.2, libvirt 9.0) to Debian 13 (QEMU 10.0, libvirt 11.3)
  What a management layer must know before the upgrade, for memory hotplug with <memory model='dimm'>:
  domains that start now and did not before, refusals that moved from QEMU to libvirt (so no QMP is sent
  and nothing has to be rolled back), messages that changed their words, and machine types that come and go.
  Each scenario says which pair it runs on ("Given libvirt 9.0 on QEMU 7.2"); every value comes from the
  transcripts recorded from the real pairs (test/libvirt/ and test/libvirt-11.3/, same file names).
  `hotplug-scenarios versions FILE...` shows the same differences for any scenario, step by step.

  Rule: domains with memory hotplug but without <numa> start on 11.3 (define-max-no-numa, numa-auto-add)

    Scenario: 9.0 refuses maxMemory without a NUMA cell
      Given libvirt 9.0 on QEMU 7.2
      When a domain is defined by the file "max-no-numa.xml"
      Then it fails with "unsupported configuration: At least one numa node has to be configured when enabling memory hotplug"

    Scenario: 11.3 adds NUMA node 0 holding the initial memory, and DIMMs go there
      Given libvirt 11.3 on QEMU 10.0
      When a domain is defined by the file "max-no-numa.xml"
      Then the live domain XML shows:
        """
        <cpu>
          <numa>
            <cell id='0' cpus='0' memory='1048576' unit='KiB'/>
          </numa>
        </cpu>
        """
      When I attach the device file "devices/dimm-512m.xml"
      Then virsh prints "Device attached successfully"

  Rule: maxMemory without slots is no longer a define error, but no DIMM fits (define-max-no-slots, max-no-slots-attach)

    Scenario: 9.0 wants both the size and the slots
      Given libvirt 9.0 on QEMU 7.2
      When a domain is defined by the file "max-no-slots.xml"
      Then it fails with "XML error: both maximum memory size and memory slot count must be specified"

    Scenario: 11.3 starts it with 0 slots; every DIMM is refused before any QMP
      Given libvirt 11.3 on QEMU 10.0
      When a domain is defined by the file "max-no-slots.xml"
      And I attach the device file "devices/dimm-512m.xml"
      Then it fails with "unsupported configuration: count of memory devices requiring memory slots '1' exceeds slots count '0'"
      And libvirt sent no QMP commands

  Rule: an explicit base that overlaps another DIMM: QEMU's refusal on 9.0, libvirt's on 11.3 (base-inside-dimm, overlap-ranges)

    Scenario: 9.0 sends object-add and device_add, QEMU refuses, libvirt deletes the backend
      Given libvirt 9.0 on QEMU 7.2
      And a domain defined by the file "pc.xml"
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

    Scenario: 11.3 compares the address ranges itself and sends nothing
      Given libvirt 11.3 on QEMU 10.0
      And a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='dimm' slot='1' base='0x140000000'/></memory>
        """
      Then it fails with "unsupported configuration: memory device address [0x140000000:0x160000000] overlaps with other memory device (0x100000000)"
      And libvirt sent no QMP commands

  Rule: messages that changed their words (slot-count, order-slot-before-node, xml-refusals)

    Scenario Outline: a fifth DIMM for four slots on libvirt <libvirt>
      Given libvirt <libvirt> on QEMU <qemu>
      And a domain defined by the file "pc.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      And I attach the device file "devices/dimm-512m.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then it fails with "<error>"
      And libvirt sent no QMP commands

      Examples:
        | libvirt | qemu | error                                                                                             |
        | 9.0     | 7.2  | unsupported configuration: memory device count '5' exceeds slots count '4'                        |
        | 11.3    | 10.0 | unsupported configuration: count of memory devices requiring memory slots '5' exceeds slots count '4' |

    Scenario Outline: a DIMM without <node> in slot 9: which check speaks first on libvirt <libvirt>
      Given libvirt <libvirt> on QEMU <qemu>
      And a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size></target><address type='dimm' slot='9'/></memory>
        """
      Then it fails with "<error>"

      Examples:
        | libvirt | qemu | error                                                                                 |
        | 9.0     | 7.2  | unsupported configuration: target NUMA node needs to be specified for memory device |
        | 11.3    | 10.0 | unsupported configuration: memory device slot '9' exceeds slots count '4'           |

    Scenario Outline: malformed device XML on libvirt <libvirt>
      Given libvirt <libvirt> on QEMU <qemu>
      And a domain defined by the file "pc.xml"
      When I attach the device file "devices/unclosed.xml"
      Then virsh fails with:
        """
        error: <where>: Premature end of data in tag memory line 1
        <context>
        <pointer>
        """

      Examples:
        | libvirt | qemu | where                  | context                                                                             | pointer                                                                             |
        | 9.0     | 7.2  | (device_definition):2  | (null)                                                                              | ^                                                                                   |
        | 11.3    | 10.0 | at line 2              | <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target> | ----------------------------------------------------------------------------------^ |

    Scenario Outline: an unknown address type on libvirt <libvirt>
      Given libvirt <libvirt> on QEMU <qemu>
      And a domain defined by the file "pc.xml"
      When I attach the device XML:
        """
        <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><address type='bogus'/></memory>
        """
      Then it fails with "<error>"

      Examples:
        | libvirt | qemu | error                                                                        |
        | 9.0     | 7.2  | unsupported configuration: unknown address type 'bogus'                      |
        | 11.3    | 10.0 | XML error: Invalid value for attribute 'type' in element 'address': 'bogus'. |

  Rule: machine types follow the QEMU (machine-pc-i440fx-10-0, machine-pc-i440fx-2-3)

    Scenario Outline: `pc` is QEMU's newest i440FX type: <machine> on QEMU <qemu>
      Given libvirt <libvirt> on QEMU <qemu>
      When a domain is defined by the file "pc.xml"
      Then the live domain XML shows:
        """
        <os>
          <type arch='x86_64' machine='<machine>'>hvm</type>
        </os>
        """

      Examples:
        | libvirt | qemu | machine        |
        | 9.0     | 7.2  | pc-i440fx-7.2  |
        | 11.3    | 10.0 | pc-i440fx-10.0 |

    Scenario Outline: QEMU <qemu> does not have <machine>
      Given libvirt <libvirt> on QEMU <qemu>
      When a domain is defined by:
        """
        <domain type='qemu'>
          <name>hp</name>
          <memory unit='KiB'>1048576</memory>
          <maxMemory slots='4' unit='KiB'>8388608</maxMemory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='<machine>'>hvm</type></os>
          <features><acpi/></features>
          <cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
          </devices>
        </domain>
        """
      Then it fails with "unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support machine type '<machine>'"

      Examples: the 10.0 types are new
        | libvirt | qemu | machine        |
        | 9.0     | 7.2  | pc-i440fx-10.0 |
        | 9.0     | 7.2  | pc-q35-10.0    |

      Examples: the i440FX types before 2.4 are gone
        | libvirt | qemu | machine        |
        | 11.3    | 10.0 | pc-i440fx-2.3  |

  Rule: QEMU itself (test/replay-10.0/ beside test/replay/)

    Scenario Outline: the machine's device-memory-region-size property on QEMU <qemu>
      Given QEMU <qemu>
      And a "pc" machine started with "-m 1G,slots=4,maxmem=8G"
      When I send QMP '{"execute": "qom-get", "arguments": {"path": "/machine", "property": "device-memory-region-size"}}'
      Then <outcome>

      Examples:
        | qemu | outcome                                                                                        |
        | 7.2  | the reply is '{"return":11811160064}'                                                          |
        | 10.0 | it fails with "Property 'pc-i440fx-10.0-machine.device-memory-region-size' not found"          |

    Scenario Outline: pc-i440fx-2.3 on QEMU <qemu>
      Given QEMU <qemu>
      When a machine is started with "-M pc-i440fx-2.3 -m 1G"
      Then <outcome>

      Examples:
        | qemu | outcome                                                                  |
        | 7.2  | the machine starts                                                       |
        | 10.0 | QEMU refuses to start with "unsupported machine type: \"pc-i440fx-2.3\"" |

  Rule: what libvirt writes for <timer name='hpet' present='no'/> and an ISA watchdog on q35 (rw-q35-spice-redirdev)

    Scenario Outline: QEMU <qemu> with libvirt's spelling of "no HPET"
      Given QEMU <qemu>
      When a machine is started with "<options>"
      Then <outcome>

      Examples:
        | qemu | options                         | outcome                                                  |
        | 7.2  | -M pc -m 1G -no-hpet            | the machine starts                                       |
        | 10.0 | -M pc -m 1G -no-hpet            | QEMU refuses to start with "-no-hpet: invalid option"    |
        | 10.0 | -M pc,hpet=off -m 1G            | the machine starts                                       |

    Scenario: 9.0 starts virt-manager's spice q35 domain with an ib700 watchdog, and it takes a DIMM
      Given libvirt 9.0 on QEMU 7.2
      And a domain defined by the file "real-world/q35-spice-redirdev.xml"
      When I attach the device file "devices/dimm-512m.xml"
      Then virsh prints "Device attached successfully"

    Scenario: 11.3 refuses the ib700 watchdog on q35, before it looks at the graphics
      Given libvirt 11.3 on QEMU 10.0
      When a domain is defined by the file "real-world/q35-spice-redirdev.xml"
      Then it fails with "unsupported configuration: ib700 model of watchdog cannot be used with this machine type"
