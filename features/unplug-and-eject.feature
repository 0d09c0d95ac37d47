@unplug
Feature: Unplug request and the guest's eject
  device_del of a pc-dimm only asks the guest: it sets the slot's remove flag and GPE0 bit 3, and
  nothing is removed. The DIMM goes away when the guest writes eject (0x08) to the flags register of
  the selected slot; then QEMU emits DEVICE_DELETED, frees the slot and the address, and the backend
  can be deleted. The guest may eject any enabled slot, with or without a device_del.

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"

  Scenario: device_del alone removes nothing
    When I request unplug of "d0"
    Then it succeeds
    And no event is emitted
    And the memory devices are:
      | id | slot | addr        | size |
      | d0 | 0    | 0x100000000 | 256M |
    And slot 0 is "enabled, inserting, removing"
    And the plugged memory is 256M

  Scenario: repeated device_del is accepted every time
    When I request unplug of "d0"
    And I request unplug of "d0"
    Then it succeeds
    And no event is emitted

  Scenario: an unknown device cannot be unplugged
    When I request unplug of "nope"
    Then it fails with a DeviceNotFound error "Device 'nope' not found"
    And the machine is unchanged

  Scenario: the guest's eject completes the unplug
    Given the guest acknowledges the insertion in slot 0
    And I request unplug of "d0"
    When the guest acknowledges the removal in slot 0
    And the guest ejects slot 0
    Then the event DEVICE_DELETED is emitted with:
      """
      {"device": "d0", "path": "/machine/peripheral/d0"}
      """
    And there are no memory devices
    And the flat view has no range named "memd0"
    And the plugged memory is 0
    And slot 0 is "none"

  Scenario: the backend can be deleted only after the eject
    Given I request unplug of "d0"
    When I delete the backend "memd0"
    Then it fails with "object 'memd0' is in use, can not be deleted"
    When the guest ejects slot 0
    And I delete the backend "memd0"
    Then it succeeds

  Scenario: the guest may eject without any device_del
    When the guest acknowledges the insertion in slot 0
    And the guest ejects slot 0
    Then the event DEVICE_DELETED is emitted
    And there are no memory devices

  Scenario Outline: eject must be written alone: <value> does not eject
    Given I request unplug of "d0"
    When the guest selects slot 0
    And the guest writes <value> to the slot flags
    Then no event is emitted
    And slot 0 is "<flags>"
    And DIMM "d0" is in slot 0 at 0x100000000

    Examples:
      | value | flags                         |
      | 0x0c  | enabled, inserting            |
      | 0x0a  | enabled, removing             |
      | 0x0e  | enabled, removing             |
      | 0x02  | enabled, removing             |
      | 0x04  | enabled, inserting            |
      | 0x00  | enabled, inserting, removing  |

  Scenario: ejecting an empty slot is ignored
    When the guest ejects slot 1
    Then no event is emitted
    And DIMM "d0" is in slot 0 at 0x100000000

  Scenario: a selector beyond the last slot ignores the eject
    When the guest ejects slot 5
    Then no event is emitted
    And DIMM "d0" is in slot 0 at 0x100000000

  Scenario: ejecting leaves the insert and remove flags set
    When the guest ejects slot 0
    Then slot 0 is "inserting"
    When I run "device_add pc-dimm,id=d0,memdev=memd0"
    Then slot 0 is "enabled, inserting"

  Scenario: flags after device_del and eject, and after plugging back
    Given the guest acknowledges the insertion in slot 0
    And I request unplug of "d0"
    When the guest ejects slot 0
    Then slot 0 is "removing"
    When I run "device_add pc-dimm,id=d0,memdev=memd0"
    Then slot 0 is "enabled, inserting, removing"

  Scenario: a reset does not complete a pending unplug
    Given I request unplug of "d0"
    When the machine is reset
    Then the event DEVICE_DELETED is not emitted
    And DIMM "d0" is in slot 0 at 0x100000000
    And slot 0 is "enabled, inserting, removing"

  Scenario: guest RAM in a DIMM is real memory, gone after the eject
    When qtest runs "writeq 0x100000000 0x1122334455667788"
    Then qtest "readq 0x100000000" answers "OK 0x1122334455667788"
    And qtest "readl 0x100000004" answers "OK 0x0000000011223344"
    When the guest ejects slot 0
    Then qtest "readq 0x100000000" answers "OK 0x0000000000000000"
