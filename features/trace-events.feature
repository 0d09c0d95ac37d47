@trace-events
Feature: QEMU's own trace points along the hotplug path
  QEMU's trace points are its own account of what ran: with the log backend (-trace EVENT -D FILE) it writes
  one line per event. The model fires the same trace points from the functions that model the code calling
  them, so these lines are refereed by real QEMU (the diff profile compares them on every step). The set here
  is the default one: mhp_acpi_*, piix4_gpe_*, pic_set_irq, pic_ioport_read/write, ioapic_set_irq,
  ioapic_mem_read/write. pic_set_irq prints "master 1" for the master i8259 and "master 0" for the slave,
  whose output is re-sent into master input 2 on every call; ioapic_set_irq prints the input before the
  IRQ 0 → pin 2 remap.

  Scenario: a hot-add on pc drives the SCI low through the slave i8259, the cascade and the IOAPIC
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    When I hot-add a 256M DIMM "d0"
    Then the trace events were:
      """
      pic_set_irq master 0 irq 1 level 0
      pic_set_irq master 1 irq 2 level 0
      ioapic_set_irq vector: 9 level: 0
      """

  @qemu-7.2
  Scenario: enabling GPE bit 3 on pc: PIIX4's GPE accessors, then the SCI high on GSI 9
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"
    When the guest enables GPE bit 3
    Then the trace events were:
      """
      piix4_gpe_readb addr: 0x2 width: 1 ==> 0x0
      piix4_gpe_writeb addr: 0x2 width: 1 <== 0x8
      pic_set_irq master 0 irq 1 level 1
      pic_set_irq master 1 irq 2 level 1
      ioapic_set_irq vector: 9 level: 1
      """
    # IRQ 9 is edge-triggered (ELCR clear): the slave keeps the latched request, so the cascade stays high.
    When the guest clears GPE status bit 3
    Then the trace events were:
      """
      piix4_gpe_writeb addr: 0x0 width: 1 <== 0x8
      pic_set_irq master 0 irq 1 level 0
      pic_set_irq master 1 irq 2 level 1
      ioapic_set_irq vector: 9 level: 0
      """

  @qemu-7.2
  Scenario: a word access to GPE0 is two byte accesses (impl.max_access_size 1)
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    When qtest runs "inw 0xafe2"
    Then the trace events were:
      """
      piix4_gpe_readb addr: 0x2 width: 1 ==> 0x0
      piix4_gpe_readb addr: 0x3 width: 1 ==> 0x0
      """

  Scenario: on q35 the ICH9 SCI only moves on a change of level, and its GPE block has no trace points
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And the firmware enables the ACPI PM registers
    When I hot-add a 256M DIMM "d0"
    Then no trace events fired
    When the guest enables GPE bit 3
    Then the trace events were:
      """
      pic_set_irq master 0 irq 1 level 1
      pic_set_irq master 1 irq 2 level 1
      ioapic_set_irq vector: 9 level: 1
      """

  Scenario: the guest's side of a hot-add and an eject, in the memory-hotplug block's trace points
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"
    When the guest selects slot 0
    Then the trace events were:
      """
      mhp_acpi_write_slot set active slot: 0x0
      """
    When the guest reads the slot's status
    Then the trace events were:
      """
      mhp_acpi_read_flags slot[0x0] flags: 0x3
      """
    When the guest acknowledges the insertion in slot 0
    Then the trace events were:
      """
      mhp_acpi_write_slot set active slot: 0x0
      mhp_acpi_clear_insert_evt slot[0x0] clear insert event
      """
    When I request unplug of "d0"
    Then the trace events were:
      """
      pic_set_irq master 0 irq 1 level 0
      pic_set_irq master 1 irq 2 level 0
      ioapic_set_irq vector: 9 level: 0
      """
    When the guest ejects slot 0
    Then the trace events were:
      """
      mhp_acpi_write_slot set active slot: 0x0
      mhp_acpi_pc_dimm_deleted slot[0x0] pc-dimm deleted
      """

  Scenario: the DIMM's address and size through the 0x0a00 block, and a selector past the last slot
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"
    When qtest runs:
      """
      outl 0xa00 0
      inl 0xa00
      inl 0xa04
      inl 0xa08
      inl 0xa0c
      inl 0xa10
      outl 0xa00 5
      inl 0xa14
      outb 0xa14 0x08
      """
    Then the trace events were:
      """
      mhp_acpi_write_slot set active slot: 0x0
      mhp_acpi_read_addr_lo slot[0x0] addr lo: 0x0
      mhp_acpi_read_addr_hi slot[0x0] addr hi: 0x1
      mhp_acpi_read_size_lo slot[0x0] size lo: 0x10000000
      mhp_acpi_read_size_hi slot[0x0] size hi: 0x0
      mhp_acpi_read_pxm slot[0x0] proximity: 0x0
      mhp_acpi_write_slot set active slot: 0x5
      mhp_acpi_invalid_slot_selected 0x5
      mhp_acpi_invalid_slot_selected 0x5
      """

  Scenario: the guest masks IRQ 9 on the slave i8259 and reads the mask back
    Every write to the slave's mask recomputes its output, which is re-sent into master input 2.
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    When qtest runs:
      """
      outb 0xa1 0x02
      inb 0xa1
      """
    Then the trace events were:
      """
      pic_ioport_write master 0 addr 0x1 val 0x2
      pic_set_irq master 1 irq 2 level 0
      pic_ioport_read master 0 addr 0x1 val 0x2
      """

  Scenario: the guest programs IOAPIC pin 9 through IOREGSEL/IOWIN
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    When qtest runs:
      """
      writel 0xfec00000 0x22
      writel 0xfec00010 0x0000a029
      readl 0xfec00010
      """
    Then the trace events were:
      """
      ioapic_mem_write ioapic mem write addr 0x0 regsel: 0x0 size 0x4 val 0x22
      ioapic_mem_write ioapic mem write addr 0x10 regsel: 0x22 size 0x4 val 0xa029
      ioapic_mem_read ioapic mem read addr 0x10 regsel: 0x22 size 0x4 retval 0xa029
      """
