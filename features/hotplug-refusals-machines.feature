@refusal
Feature: Machines that cannot take a DIMM at all
  Without slots, with memory hotplug switched off in the ACPI device, or without ACPI, every
  device_add of a pc-dimm is refused before any slot or address is considered.

  Scenario Outline: <case>
    Given a machine started with "<machine>"
    And a 512M backend "m0"
    When I run "<command>"
    Then it fails with "<error>"
    And there are no memory devices

    Examples:
      | case                                | machine                                                              | command                                   | error                                                                        |
      | plain -m, no slots                  | -M pc -m 1G                                                          | device_add pc-dimm,id=d0,memdev=m0        | no slots where allocated, please specify the 'slots' option                 |
      | maxmem without slots                | -M pc -m 1G,maxmem=8G                                                | device_add pc-dimm,id=d0,memdev=m0        | no slots where allocated, please specify the 'slots' option                 |
      | slots=0, explicit slot 0            | -M pc -m 1G,slots=0,maxmem=2G                                        | device_add pc-dimm,id=d0,memdev=m0,slot=0 | invalid slot number 0, valid range is [0-18446744073709551615]              |
      | slots=0, explicit slot 1            | -M pc -m 1G,slots=0,maxmem=2G                                        | device_add pc-dimm,id=d0,memdev=m0,slot=1 | invalid slot number 1, valid range is [0-18446744073709551615]              |
      | slots=0, automatic slot             | -M pc -m 1G,slots=0,maxmem=2G                                        | device_add pc-dimm,id=d0,memdev=m0        | no slots where allocated, please specify the 'slots' option                 |
      | PIIX4 memory hotplug off            | -M pc -m 1G,slots=2,maxmem=4G -global PIIX4_PM.memory-hotplug-support=off | device_add pc-dimm,id=d0,memdev=m0   | memory hotplug is not enabled: PIIX4_PM.memory-hotplug-support is not set   |

    @qemu-7.2
    Examples: QEMU 7.2's ICH9-LPC still has memory-hotplug-support
      | case                                | machine                                                              | command                                   | error                                                                        |
      | ICH9 memory hotplug off             | -M q35 -m 1G,slots=2,maxmem=4G -global ICH9-LPC.memory-hotplug-support=off | device_add pc-dimm,id=d0,memdev=m0  | memory hotplug is not enabled: ICH9-LPC.memory-hotplug-support is not set   |

  @qemu-10.0
  Scenario: QEMU 10.0's ICH9-LPC has no memory-hotplug-support property
    When a machine is started with "-M q35 -m 1G,slots=2,maxmem=4G -global ICH9-LPC.memory-hotplug-support=off"
    Then QEMU refuses to start with "can't apply global ICH9-LPC.memory-hotplug-support=off: Property 'ICH9-LPC.memory-hotplug-support' not found"

  Scenario: q35 refuses a DIMM larger than maxmem - ram
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=2G"
    When I hot-add a 2G DIMM "d0"
    Then it fails with "not enough space, currently 0x0 in use of total space for memory devices 0x40000000"
    And the machine is unchanged

  Scenario: q35 slot checks
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0" into slot 1
    When I hot-add a 256M DIMM "d1" into slot 1
    Then it fails with "slot 1 is busy"
    And the machine is unchanged
    Given I add a 256M backend "memd1"
    When I run "device_add pc-dimm,id=d2,memdev=memd1,slot=2"
    Then it fails with "invalid slot number 2, valid range is [0-1]"
    When I run "device_add pc-dimm,id=d3,memdev=memd1"
    Then it succeeds
    When I hot-add a 256M DIMM "d4"
    Then it fails with "no free slots available"

  Scenario: capacity is maxmem - ram, not the size of device-memory
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=4G"
    And I hot-add a 1536M DIMM "d0"
    And I hot-add a 1536M DIMM "d1"
    When I hot-add a 512M DIMM "d2"
    Then it fails with "not enough space, currently 0xc0000000 in use of total space for memory devices 0xc0000000"

  Scenario: memory too fragmented by explicit addresses
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"
    And I hot-add a 2M DIMM "f0" at 0x180000000
    And I hot-add a 2M DIMM "f2" at 0x240000000
    And I hot-add a 2M DIMM "f3" at 0x300000000
    When I hot-add a 3584M DIMM "f4"
    Then it fails with "could not find position in guest address space for memory device - memory fragmented due to alignments"
    And the machine is unchanged
