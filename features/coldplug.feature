@coldplug
Feature: Cold-plugged DIMMs
  A pc-dimm given with -device on the command line is plugged before the machine runs: it is not
  "hotplugged", raises no GPE, and its slot shows only the enabled flag. The guest can still eject it.

  Background:
    Given the machine "pc-coldplug" is started

  Scenario: the cold-plugged DIMM takes its slot and the bottom of device memory
    Then the memory devices are:
      | id    | slot | addr        | size | hotplugged |
      | cold0 | 2    | 0x100000000 | 1G   | false      |
    And the plugged memory is 1G
    And GPE0 status is 0x00
    And slot 2 is "enabled"

  Scenario: a hot-added DIMM goes after it, in the lowest free slot
    When I hot-add a 512M DIMM "d1"
    Then the memory devices are:
      | id    | slot | addr        | size | hotplugged |
      | cold0 | 2    | 0x100000000 | 1G   | false      |
      | d1    | 0    | 0x140000000 | 512M | true       |

  Scenario: the guest ejects a cold-plugged DIMM
    When the guest ejects slot 2
    Then the event DEVICE_DELETED is emitted with:
      """
      {"device": "cold0", "path": "/machine/peripheral/cold0"}
      """
    And there are no memory devices
    When I delete the backend "cm0"
    Then it succeeds
