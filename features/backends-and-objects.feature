@objects
Feature: Memory backend objects
  object-add creates a RAM region named after the object id, mapped nowhere until a DIMM uses it.
  A backend in use by a DIMM cannot be deleted; ids must be unique, including the main RAM's pc.ram.

  Background:
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"

  Scenario: a free backend can be added and deleted again
    When I add a 1G backend "m0"
    And I delete the backend "m0"
    Then it succeeds
    And the flat view has no range named "m0"

  Scenario Outline: object-add refused: <case>
    When I send QMP '<command>'
    Then it fails with "<error>"
    And the machine is unchanged

    Examples:
      | case              | command                                                                                                | error                                                                 |
      | size 0            | {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "m0", "size": 0}}      | property 'size' of memory-backend-ram doesn't take value '0'           |
      | no size           | {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "m1"}}                 | Parameter 'size' is missing                                           |
      | size 2^64         | {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "m2", "size": 18446744073709551616}} | Parameter 'size' expects uint64                          |
      | main RAM id       | {"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "pc.ram", "size": 1073741824}} | attempt to add duplicate property 'pc.ram' to object (type 'container')   |

  Scenario: a duplicate id is refused
    Given a 1G backend "m0"
    When I add a 1G backend "m0"
    Then it fails with "attempt to add duplicate property 'm0' to object (type 'container')"

  Scenario: a backend in use cannot be deleted
    Given I hot-add a 1G DIMM "d0"
    When I delete the backend "memd0"
    Then it fails with "object 'memd0' is in use, can not be deleted"
    And the machine is unchanged

  Scenario: deleting an unknown object
    When I delete the backend "nope"
    Then it fails with "object 'nope' not found"
