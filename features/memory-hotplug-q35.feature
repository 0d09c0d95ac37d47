@plug @q35
Feature: Memory hotplug on a q35 machine
  q35 places DIMMs like pc, but its GPE0 block lives in the ICH9 PM I/O block at PMBASE+0x20 and is
  not decoded until the firmware programs PMBASE and sets ACPI_EN. A hot-add before that still
  latches GPE0 status bit 3; the guest sees it once the block is mapped.

  Scenario: DIMMs fill the four slots in order, packed first fit
    Given the machine "q35-4-slots" is started
    When I hot-add a 256M DIMM "d0"
    And I hot-add a 256M DIMM "d1"
    And I hot-add a 256M DIMM "d2"
    And I hot-add a 256M DIMM "d3"
    Then the memory devices are:
      | id | slot | addr        | size |
      | d0 | 0    | 0x100000000 | 256M |
      | d1 | 1    | 0x110000000 | 256M |
      | d2 | 2    | 0x120000000 | 256M |
      | d3 | 3    | 0x130000000 | 256M |
    And the plugged memory is 1G

  Scenario: with 4 GiB of RAM, 2 GiB sit above 4 GiB and device memory starts at 6 GiB
    Given a "q35" machine started with "-m 4G,slots=4,maxmem=8G"
    When I hot-add a 1G DIMM "d0"
    Then DIMM "d0" is in slot 0 at 0x180000000

  Scenario: the q35 flat view after two plugs
    Given the machine "q35-4-slots" is started
    When I run "object_add memory-backend-ram,id=m0,size=512M"
    And I run "device_add pc-dimm,id=d0,memdev=m0"
    And I run "object_add memory-backend-ram,id=m1,size=256M"
    And I run "device_add pc-dimm,id=d1,memdev=m1"
    Then the flat view is:
      """
      0000000000000000-00000000000bffff (prio 0, ram): pc.ram
      00000000000c0000-00000000000dffff (prio 1, rom): pc.rom
      00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000
      0000000000100000-000000003fffffff (prio 0, ram): pc.ram @0000000000100000
      00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic
      00000000fed00000-00000000fed003ff (prio 0, i/o): hpet
      00000000fee00000-00000000feefffff (prio 4096, i/o): apic-msi
      00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
      0000000100000000-000000011fffffff (prio 0, ram): m0
      0000000120000000-000000012fffffff (prio 0, ram): m1
      """

  Scenario: the GPE block is not decoded before PMBASE is programmed
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    When I hot-add a 256M DIMM "d0"
    Then qtest "inb 0x620" answers "OK 0x00ff"
    When the firmware enables the ACPI PM registers
    Then qtest "inb 0x620" answers "OK 0x0008"

  Scenario: PMBASE alone does not map the PM block; ACPI_EN does
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    When qtest runs:
      """
      outl 0xcf8 0x8000f840
      outl 0xcfc 0x601
      """
    Then qtest "inb 0x620" answers "OK 0x00ff"
    When qtest runs:
      """
      outl 0xcf8 0x8000f844
      outb 0xcfc 0x80
      """
    Then qtest "inb 0x620" answers "OK 0x0000"

  Scenario: the LPC bridge and its PM registers at reset
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    When qtest runs "outl 0xcf8 0x8000f800"
    Then qtest "inl 0xcfc" answers "OK 0x29188086"
    When qtest runs "outl 0xcf8 0x8000f840"
    Then qtest "inl 0xcfc" answers "OK 0x0001"

  Scenario: GPE bit 3 and the SCI on q35
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And the firmware enables the ACPI PM registers
    When I hot-add a 256M DIMM "d0"
    Then GPE0 status is 0x08
    When the guest enables GPE bit 3
    Then IRQ 9 was raised
    And qtest "inl 0x628" answers "OK 0x0008"
    When the guest clears GPE status bit 3
    Then IRQ 9 was lowered

  Scenario: the full handshake on q35
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And the guest enables GPE bit 3
    When I hot-add a 256M DIMM "d0"
    Then IRQ 9 was raised
    When the guest acknowledges the insertion in slot 0
    And the guest clears GPE status bit 3
    Then SCI is low
    When I request unplug of "d0"
    Then IRQ 9 was raised
    And slot 0 is "enabled, removing"
    When the guest acknowledges the removal in slot 0
    And the guest ejects slot 0
    Then the event DEVICE_DELETED is emitted
    And there are no memory devices

  Scenario: SCI steps follow the IRQ the firmware routes the SCI to (ICH9 ACPI_CTRL SCI_IRQ_SEL)
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And the firmware enables the ACPI PM registers
    And qtest runs:
      """
      outl 0xcf8 0x8000f844
      outb 0xcfc 0x81
      """
    And I hot-add a 256M DIMM "d0"
    When the guest enables GPE bit 3
    Then the IRQ lines were "IRQ raise 10"
    And SCI is high
    And IRQ 9 is low
    When the guest clears GPE status bit 3
    Then IRQ 10 was lowered
    And SCI is low

  Scenario: the SCI reaches the i8259s on q35 as on pc
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"
    When the guest enables GPE bit 3
    Then the slave i8259 IRR is 0x02
    And "ioapic" counted 1 rising edge on line 9

  Scenario: query-acpi-ospm-status lists every slot
    Given the machine "q35-4-slots" is started
    And I hot-add a 256M DIMM "d0" into slot 2
    When the guest reports OST event 0x1 with status 0x0 for slot 2
    Then QMP '{"execute": "query-acpi-ospm-status"}' returns:
      """
      [{"source": 0, "status": 0, "slot": "0", "slot-type": "DIMM"},
       {"source": 0, "status": 0, "slot": "1", "slot-type": "DIMM"},
       {"device": "d0", "source": 1, "status": 0, "slot": "2", "slot-type": "DIMM"},
       {"source": 0, "status": 0, "slot": "3", "slot-type": "DIMM"}]
      """

  Scenario: cold plug on q35 at an explicit address
    Given a machine started with "-M q35 -m 2G,slots=2,maxmem=4G -object memory-backend-ram,id=cm0,size=512M -device pc-dimm,id=cold0,memdev=cm0,addr=0x140000000"
    Then the memory devices are:
      | id    | slot | addr        | size | hotplugged |
      | cold0 | 0    | 0x140000000 | 512M | false      |
    And the plugged memory is 512M
