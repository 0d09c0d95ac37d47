@plug
Feature: Memory hotplug on a pc machine
  A pc-dimm hot-added to an i440FX machine takes the lowest free slot and the lowest free,
  2 MiB-aligned address of device-memory (first fit). Its backend's RAM region appears in the
  flat view under the backend's id, and QEMU latches GPE0 status bit 3 for the guest.

  Background:
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"

  Scenario: the first DIMM lands at the bottom of device memory
    When I hot-add a 1G "memory-backend-ram" DIMM "dimm0"
    Then it succeeds
    And the memory devices are:
      | id    | slot | addr        | size | node | hotplugged |
      | dimm0 | 0    | 0x100000000 | 1G   | 0    | true       |
    And GPE0 status bit 3 is set
    And SCI is low

  Scenario: DIMMs are packed first-fit with 2 MiB alignment, not one per GiB
    When I hot-add a 512M DIMM "d0"
    And I hot-add a 1G DIMM "d1"
    Then the memory devices are:
      | id | slot | addr        | size |
      | d0 | 0    | 0x100000000 | 512M |
      | d1 | 1    | 0x120000000 | 1G   |

  Scenario: an explicit slot does not move the address
    When I hot-add a 1G DIMM "d0" into slot 2
    And I hot-add a 512M DIMM "d1"
    Then the memory devices are:
      | id | slot | addr        | size |
      | d0 | 2    | 0x100000000 | 1G   |
      | d1 | 0    | 0x140000000 | 512M |

  Scenario: an explicit address leaves the bottom free for the next automatic DIMM
    When I hot-add a 1G DIMM "d1" into slot 1 at 0x140000000
    And I hot-add a 1G DIMM "d2"
    Then the memory devices are:
      | id | slot | addr        |
      | d2 | 0    | 0x100000000 |
      | d1 | 1    | 0x140000000 |

  Scenario: addr=0 means "choose for me"
    When I run "object_add memory-backend-ram,id=m0,size=1G"
    And I run "device_add pc-dimm,id=d0,memdev=m0,addr=0"
    Then DIMM "d0" is in slot 0 at 0x100000000

  Scenario: a gap freed by an eject is reused first-fit, with the freed slot
    Given I hot-add a 512M DIMM "da"
    And I hot-add a 512M DIMM "db"
    And I hot-add a 512M DIMM "dc"
    When I request unplug of "db"
    And the guest ejects slot 1
    And I hot-add a 256M DIMM "de"
    And I hot-add a 512M DIMM "df"
    Then the memory devices are:
      | id | slot | addr        | size |
      | da | 0    | 0x100000000 | 512M |
      | de | 1    | 0x120000000 | 256M |
      | dc | 2    | 0x140000000 | 512M |
      | df | 3    | 0x160000000 | 512M |

  Scenario: a memfd backend is aligned to 4 KiB, so the next DIMM follows at a 4 KiB boundary
    When I hot-add a 134221824 "memory-backend-memfd" DIMM "d0"
    And I hot-add a 128M "memory-backend-memfd" DIMM "d1"
    Then the memory devices are:
      | id | slot | addr        | size      |
      | d0 | 0    | 0x100000000 | 134221824 |
      | d1 | 1    | 0x108001000 | 128M      |

  Scenario: a memfd DIMM accepts a 4 KiB-aligned address that a RAM backend may not use
    When I run "object_add memory-backend-memfd,id=m0,size=128M"
    And I run "device_add pc-dimm,id=d0,memdev=m0,addr=0x100001000"
    Then DIMM "d0" is in slot 0 at 0x100001000
    When I run "object_add memory-backend-ram,id=m1,size=128M"
    And I run "device_add pc-dimm,id=d1,memdev=m1,addr=0x110001000"
    Then it fails with "address must be aligned to 0x200000 bytes"

  Scenario: the DIMM's RAM shows in the flat view under the backend id
    When I hot-add a 1G DIMM "dimm0"
    Then the flat view contains:
      | start       | end         | prio | kind | name      |
      | 0x100000000 | 0x13fffffff | 0    | ram  | memdimm0  |
    And the flat view maps "memdimm0" at 0x100000000-0x13fffffff

  Scenario: the flat view after a plug, line by line
    When I run "object_add memory-backend-ram,id=m0,size=1G"
    And I run "device_add pc-dimm,id=d0,memdev=m0"
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
      0000000100000000-000000013fffffff (prio 0, ram): m0
      """

  Scenario: info mtree shows the backend inside the device-memory container
    When I run "object_add memory-backend-ram,id=mem1,size=1G"
    And I run "device_add pc-dimm,id=dimm1,memdev=mem1"
    Then "info mtree" shows:
      """
      0000000100000000-00000003bfffffff (prio 0, i/o): device-memory
        0000000100000000-000000013fffffff (prio 0, ram): mem1
      """

  Scenario: plugged memory is counted in query-memory-size-summary
    When I hot-add a 1G DIMM "d0"
    Then the plugged memory is 1G
    And QMP '{"execute": "query-memory-size-summary"}' returns:
      """
      {"base-memory": 1073741824, "plugged-memory": 1073741824}
      """

  Scenario: the seed's HMP-style device_add line, as libvirt sends it
    When I run "object_add memory-backend-ram,id=ram0,size=2097152K"
    And I run "device_add pc-dimm,node=0,memdev=ram0,id=dimm0,slot=0"
    Then the memory devices are:
      | id    | slot | addr        | size   | node | memdev |
      | dimm0 | 0    | 0x100000000 | 2G     | 0    | ram0   |

  Scenario: QMP commands in a doc string
    When I send:
      """
      [{"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "memdimm0", "size": 2147483648}},
       {"execute": "device_add", "arguments": {"driver": "pc-dimm", "node": 0, "memdev": "memdimm0", "id": "dimm0", "slot": 0}}]
      """
    Then the reply is:
      """
      {"return": {}}
      """
    And DIMM "dimm0" is in slot 0 at 4G

  Scenario: a DIMM without an id is listed without one
    When I run "object_add memory-backend-ram,id=m0,size=512M"
    And I run "device_add pc-dimm,memdev=m0"
    Then the memory devices are:
      | id | slot | addr        | size | memdev |
      |    | 0    | 0x100000000 | 512M | m0     |

  Scenario: qom-get reads back the DIMM's properties
    When I run "object_add memory-backend-ram,id=m0,size=1G"
    And I run "device_add pc-dimm,id=d0,memdev=m0,slot=3"
    Then QMP '{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/d0", "property": "slot"}}' returns:
      """
      3
      """
    And QMP '{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/d0", "property": "memdev"}}' returns:
      """
      "/objects/m0"
      """

  Scenario: the memdev column takes the backend's id, or QEMU's /objects/ID
    When I hot-add a 1G DIMM "dimm0"
    Then the memory devices are:
      | id    | memdev        |
      | dimm0 | memdimm0      |
    And the memory devices are:
      | id    | memdev        |
      | dimm0 | /objects/memdimm0 |
