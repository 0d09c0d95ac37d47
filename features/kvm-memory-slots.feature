@kvm @model-only
Feature: KVM memory slots
  Under KVM every RAM or ROM range of the flat view gets one KVM memory slot (the lowest free slot
  id); plain I/O never does. Hot-plugging a DIMM is one transaction that adds exactly one slot, and
  the eject deletes it. Real QEMU shows slots only through the kvm_set_user_memory trace event, so
  these scenarios run on the model.

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G -accel kvm"

  Scenario: the boot-time slots of a 1 GiB pc machine
    Then the KVM memory slots are:
      | slot | gpa        | size       | flags |
      | 0    | 0x0        | 0xc0000    | 0x0   |
      | 1    | 0xfffc0000 | 0x40000    | 0x2   |
      | 2    | 0xc0000    | 0x20000    | 0x2   |
      | 3    | 0xe0000    | 0x20000    | 0x2   |
      | 4    | 0x100000   | 0x3ff00000 | 0x0   |

  Scenario: a hot-added DIMM takes the next slot
    When I hot-add a 1G DIMM "d0"
    Then there are 6 KVM memory slots
    And the KVM memory slots are:
      | slot | gpa         | size       | flags |
      | 0    | 0x0         | 0xc0000    | 0x0   |
      | 1    | 0xfffc0000  | 0x40000    | 0x2   |
      | 2    | 0xc0000     | 0x20000    | 0x2   |
      | 3    | 0xe0000     | 0x20000    | 0x2   |
      | 4    | 0x100000    | 0x3ff00000 | 0x0   |
      | 5    | 0x100000000 | 0x40000000 | 0x0   |

  Scenario: the table is compared whole; flags, like every number, by value (0 = 0x0, 2 = 0x2)
    When I hot-add a 1G DIMM "d0"
    Then the KVM memory slots are:
      | slot | gpa        | size       | flags |
      | 0    | 0          | 786432     | 0     |
      | 1    | 0xfffc0000 | 256K       | 2     |
      | 2    | 0xc0000    | 128K       | 0x2   |
      | 3    | 0xe0000    | 128K       | 0x02  |
      | 4    | 1M         | 0x3ff00000 | 0x0   |
      | 5    | 4G         | 1G         | 0     |

  Scenario: the eject deletes the DIMM's slot, and the next plug reuses it
    Given I hot-add a 1G DIMM "d0"
    When the guest ejects slot 0
    Then there are 5 KVM memory slots
    When I hot-add a 512M DIMM "d1"
    Then there are 6 KVM memory slots

  Scenario: ranges end with " KVM" in the flat view under KVM
    When I run "object_add memory-backend-ram,id=m0,size=256M"
    And I run "device_add pc-dimm,id=d0,memdev=m0"
    Then "info mtree -f" shows:
      """
      0000000100000000-000000010fffffff (prio 0, ram): m0 KVM
      """

  Scenario: refusals under KVM are the same as with TCG
    When I hot-add a 256M DIMM "d0" into slot 2
    Then it fails with "invalid slot number 2, valid range is [0-1]"
    And there are 5 KVM memory slots

  Scenario: the new flat range becomes a memory slot after the transaction commits
    When I hot-add a 1G DIMM "d0"
    Then the trace passes through, in order:
      """
      memory_region_transaction_commit
      kvm_region_add
      """
