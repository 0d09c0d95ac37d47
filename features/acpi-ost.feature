@acpi @ost
Feature: _OST reports from the guest
  The guest's _OST method writes an event code to 0x0a04 and a status to 0x0a08 for the selected
  slot; the status write emits ACPI_DEVICE_OST. The values change no behaviour and survive the
  removal of the DIMM; an empty slot reports without a device.

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"

  Scenario: an eject-request failure reported by the guest
    Given I hot-add a 256M DIMM "d0"
    When the guest reports OST event 0x103 with status 0x80 for slot 0
    Then the event ACPI_DEVICE_OST is emitted with:
      """
      {"info": {"device": "d0", "source": 259, "status": 128, "slot": "0", "slot-type": "DIMM"}}
      """
    And QMP '{"execute": "query-acpi-ospm-status"}' returns:
      """
      [{"device": "d0", "source": 259, "status": 128, "slot": "0", "slot-type": "DIMM"},
       {"source": 0, "status": 0, "slot": "1", "slot-type": "DIMM"}]
      """

  Scenario: OST values survive the eject, without the device
    Given I hot-add a 256M DIMM "d0"
    And the guest reports OST event 0x1 with status 0x0 for slot 0
    When the guest ejects slot 0
    Then QMP '{"execute": "query-acpi-ospm-status"}' returns:
      """
      [{"source": 1, "status": 0, "slot": "0", "slot-type": "DIMM"},
       {"source": 0, "status": 0, "slot": "1", "slot-type": "DIMM"}]
      """

  Scenario: an OST on an empty slot has no device
    When the guest reports OST event 0x3 with status 0x82 for slot 1
    Then the event ACPI_DEVICE_OST is emitted with:
      """
      {"info": {"source": 3, "status": 130, "slot": "1", "slot-type": "DIMM"}}
      """

  Scenario: every slot is listed before anything is plugged
    Then QMP '{"execute": "query-acpi-ospm-status"}' returns:
      """
      [{"source": 0, "status": 0, "slot": "0", "slot-type": "DIMM"},
       {"source": 0, "status": 0, "slot": "1", "slot-type": "DIMM"}]
      """
