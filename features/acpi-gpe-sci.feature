@acpi @sci
Feature: GPE0 bit 3 and the SCI on pc
  A hot-add (and every device_del) latches bit 3 of GPE0 status. The SCI (GSI 9) is high while any
  status bit is also enabled: enabling bit 3 raises it, clearing the status bit (write 1 to clear)
  lowers it. The PIIX4 GPE0 block is fixed at 0xafe0 (status) / 0xafe2 (enable).

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"

  Scenario: a plug latches status bit 3 but raises nothing while it is disabled
    When I hot-add a 256M DIMM "d0"
    Then GPE0 status is 0x08
    And GPE0 enable is 0x00
    And SCI is low
    And no IRQ line changed

  Scenario: enabling GPE bit 3 raises the SCI, clearing the status lowers it
    Given I hot-add a 256M DIMM "d0"
    When the guest enables GPE bit 3
    Then IRQ 9 was raised
    And SCI is high
    When the guest clears GPE status bit 3
    Then IRQ 9 was lowered
    And SCI is low
    And GPE0 status bit 3 is clear

  Scenario: with bit 3 already enabled, the device_add itself raises the SCI
    Given the guest enables GPE bit 3
    When I hot-add a 256M DIMM "d0"
    Then the IRQ lines were "IRQ raise 9"
    And SCI is high

  Scenario: device_del raises the SCI again
    Given I hot-add a 256M DIMM "d0"
    And the guest enables GPE bit 3
    And the guest acknowledges the insertion in slot 0
    And the guest clears GPE status bit 3
    When I request unplug of "d0"
    Then IRQ 9 was raised
    And GPE0 status bit 3 is set
    And slot 0 is "enabled, removing"

  Scenario: other enable bits do not raise the SCI for a memory event
    Given I hot-add a 256M DIMM "d0"
    When qtest runs "outb 0xafe2 0xf7"
    And qtest runs "outb 0xafe3 0xff"
    Then no IRQ line changed
    And qtest "inl 0xafe0" answers "OK 0xfff70008"
    When qtest runs "outb 0xafe2 0xff"
    Then IRQ 9 was raised

  Scenario Outline: status is write-1-to-clear: writing <value> leaves <after>
    Given I hot-add a 256M DIMM "d0"
    And the guest enables GPE bit 3
    When the guest writes <value> to GPE0 status
    Then GPE0 status is <after>
    And SCI is <sci>

    Examples:
      | value | after | sci  |
      | 0x00  | 0x08  | high |
      | 0xf7  | 0x08  | high |
      | 0x08  | 0x00  | low  |
      | 0xff  | 0x00  | low  |

  Scenario Outline: GPE0 register <access> after a plug
    Given I hot-add a 256M DIMM "d0"
    Then qtest "<access>" answers "<reply>"

    Examples:
      | access     | reply     |
      | inb 0xafe0 | OK 0x0008 |
      | inb 0xafe1 | OK 0x0000 |
      | inb 0xafe2 | OK 0x0000 |
      | inb 0xafe3 | OK 0x0000 |
      | inw 0xafe0 | OK 0x0008 |
      | inl 0xafe0 | OK 0x0008 |

  Scenario: a word write to the enable register sets both bytes
    Given I hot-add a 256M DIMM "d0"
    When qtest runs "outw 0xafe2 0x0008"
    Then IRQ 9 was raised
    When qtest runs "outl 0xafe0 0x00000008"
    Then IRQ 9 was lowered
    And qtest "inl 0xafe0" answers "OK 0x0000"

  Scenario: two DIMMs, one GPE bit
    Given the guest enables GPE bit 3
    When I hot-add a 256M DIMM "d0"
    And I hot-add a 256M DIMM "d1"
    Then SCI is high
    And GPE0 status is 0x08

  Scenario: the PIIX4 PM registers appear once the firmware enables them
    Given qtest "inw 0xb000" answers "OK 0xffff"
    When the firmware enables the ACPI PM registers
    Then PM1 status is 0x0001
    And PM1 enable is 0x0000
    And PM1 control is 0x0000
    And GPE0 status is 0x00

  Scenario: plug, acknowledge, OST, unplug and eject, as the guest's AML does it
    When I hot-add a 1G DIMM "d0"
    And the guest enables GPE bit 3
    And the guest handles the memory hotplug event for 2 slots
    And the guest clears GPE status bit 3
    And the guest reports OST event 0x1 with status 0x0 for slot 0
    Then the event ACPI_DEVICE_OST is emitted with:
      """
      {"info": {"device": "d0", "source": 1, "status": 0, "slot": "0", "slot-type": "DIMM"}}
      """
    When I request unplug of "d0"
    Then IRQ 9 was raised
    When the guest handles the memory hotplug event for 2 slots
    Then the event DEVICE_DELETED is emitted with:
      """
      {"device": "d0", "path": "/machine/peripheral/d0"}
      """
    And there are no memory devices
    And the events so far are "ACPI_DEVICE_OST, DEVICE_DELETED"
