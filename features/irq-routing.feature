@irq
Feature: From the SCI to the interrupt controllers
  GSI 9 fans out to the i8259 (slave pin 1, cascaded to master pin 2) and to IOAPIC pin 9. After reset
  the IOAPIC pins are masked and edge-triggered, so the IOAPIC IRR stays empty; the i8259 lines are
  edge-triggered (ELCR 0), so IRR bits latch and survive the SCI going low.

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"

  Scenario: the SCI reaches both i8259s; the IOAPIC pin is masked
    When the guest enables GPE bit 3
    Then the i8259s are:
      | chip   | irr  | imr  | isr  | elcr |
      | slave  | 0x02 | 0x00 | 0x00 | 0x00 |
      | master | 0x04 | 0x00 | 0x00 | 0x00 |
    And IOAPIC pin 9 is "masked edge"
    And the IOAPIC IRR is "(none)"

  Scenario: edge-triggered IRR bits latch after the SCI goes low
    Given the guest enables GPE bit 3
    When the guest clears GPE status bit 3
    Then SCI is low
    And the slave i8259 IRR is 0x02
    And the master i8259 IRR is 0x04

  Scenario: rising edges are counted per line
    When the guest enables GPE bit 3
    Then the IRQ counts are:
      | provider  | line | count |
      | ioapic    | 9    | 1     |
      | isa-i8259 | 9    | 1     |
      | isa-i8259 | 2    | 1     |
    When the guest clears GPE status bit 3
    And I request unplug of "d0"
    Then "ioapic" counted 2 rising edges on line 9
    And "isa-i8259" counted 2 rising edges on line 9

  Scenario: in level mode the slave IRR follows the SCI (OCW3 read of IRR)
    Given qtest runs "outb 0x4d1 0x02"
    When the guest enables GPE bit 3
    And qtest runs "outb 0xa0 0x0a"
    Then qtest "inb 0xa0" answers "OK 0x0002"
    When the guest clears GPE status bit 3
    And qtest runs "outb 0xa0 0x0a"
    Then qtest "inb 0xa0" answers "OK 0x0000"

  Scenario Outline: ELCR port <port> keeps only its maskable bits
    When qtest runs "outb <port> 0xff"
    Then qtest "inb <port>" answers "<reply>"

    Examples:
      | port  | reply     |
      | 0x4d0 | OK 0x00f8 |
      | 0x4d1 | OK 0x00de |

  Scenario: a programmed IOAPIC pin 9 (level, unmasked) latches the SCI in its IRR
    Given qtest runs:
      """
      writel 0xfec00000 0x22
      writel 0xfec00010 0x00008030
      writel 0xfec00000 0x23
      writel 0xfec00010 0x01000000
      """
    When the guest enables GPE bit 3
    Then IOAPIC pin 9 is "unmasked level"
    And the IOAPIC IRR is "9"
    And "info pic" shows:
      """
      pin 9  0x010000000000c030 dest=1 vec=48  active-hi level        fixed  physical
      """

  Scenario Outline: IOAPIC register <index>
    When qtest runs "writel 0xfec00000 <index>"
    Then qtest "readl 0xfec00010" answers "<reply>"

    Examples:
      | index | reply                 |
      | 0x00  | OK 0x0000000000000000 |
      | 0x01  | OK 0x0000000000170020 |
      | 0x12  | OK 0x0000000000010000 |
      | 0x22  | OK 0x0000000000010000 |
      | 0x23  | OK 0x0000000000000000 |

  Scenario: one IRQ intercept per machine
    Then qtest "irq_intercept_in ioapic" answers "OK"
    And qtest "irq_intercept_out ioapic" answers "OK"
