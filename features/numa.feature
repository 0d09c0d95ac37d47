@numa
Feature: NUMA nodes and the node property
  With slots and no -numa option, pc and q35 create one implicit node 0. A DIMM's node must exist;
  it shows in query-memory-devices, in the proximity register of the hotplug block and in info numa.

  Scenario: two nodes, a DIMM on the memory-less node 1
    Given the machine "pc-two-nodes" is started
    When I hot-add a 512M DIMM "d0" on node 1
    Then the memory devices are:
      | id | slot | addr        | size | node |
      | d0 | 0    | 0x100000000 | 512M | 1    |

  Scenario: node 2 does not exist with two nodes
    Given the machine "pc-two-nodes" is started
    When I hot-add a 512M DIMM "d0" on node 2
    Then it fails with "'DIMM property node has value 2' which exceeds the number of numa nodes: 2"
    And the machine is unchanged

  Scenario: the proximity register reads the DIMM's node
    Given the machine "pc-two-nodes" is started
    And I hot-add a 256M DIMM "d0" on node 1
    And I hot-add a 256M DIMM "d1"
    When the guest selects slot 0
    Then qtest "inl 0xa10" answers "OK 0x0001"
    When the guest selects slot 1
    Then qtest "inl 0xa10" answers "OK 0x0000"

  Scenario: the implicit node counts plugged memory
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"
    When I hot-add a 1G DIMM "d0"
    Then "info numa" shows:
      """
      1 nodes
      """
    And "info numa" shows:
      """
      node 0 plugged: 1024 MB
      """

  Scenario: with -numa memdev the main RAM is named after its backend
    Given a machine started with "-M pc -m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=ram0,size=1G -numa node,nodeid=0,memdev=ram0"
    When I run "object_add memory-backend-ram,id=m0,size=512M"
    And I run "device_add pc-dimm,id=d0,memdev=m0"
    Then the flat view contains:
      | start       | end         | kind | name | offset   |
      | 0x0         | 0xbffff     | ram  | ram0 | 0        |
      | 0x100000    | 0x3fffffff  | ram  | ram0 | 0x100000 |
      | 0x100000000 | 0x11fffffff | ram  | m0   | 0        |

  Scenario: q35 with two nodes of 512M each
    Given a machine started with "-M q35 -m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=r0,size=512M -object memory-backend-ram,id=r1,size=512M -numa node,nodeid=0,memdev=r0 -numa node,nodeid=1,memdev=r1"
    When I hot-add a 512M DIMM "d0" on node 1
    Then the memory devices are:
      | id | slot | addr        | node |
      | d0 | 0    | 0x100000000 | 1    |
    And "info numa" shows:
      """
      2 nodes
      """
