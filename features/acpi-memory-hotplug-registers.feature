@acpi
Feature: The ACPI memory hotplug register block at 0x0a00
  The guest selects a slot by writing its number to 0x0a00 and then reads the DIMM's address (0x00,
  0x04), size (0x08, 0x0c), proximity (0x10) and flags (0x14: enabled, inserting, removing). Only the
  exact offsets answer; other offsets read as all ones at their width, a selector beyond the last slot
  reads 0, and QEMU splits unaligned accesses into naturally aligned pieces.

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 1G DIMM "d0" into slot 1 at 0x140000000
    And the guest selects slot 1

  Scenario Outline: dword <register> of the selected slot
    Then qtest "inl <port>" answers "<reply>"

    Examples:
      | register           | port  | reply         |
      | address low        | 0xa00 | OK 0x40000000 |
      | address high       | 0xa04 | OK 0x0001     |
      | size low           | 0xa08 | OK 0x40000000 |
      | size high          | 0xa0c | OK 0x0000     |
      | proximity          | 0xa10 | OK 0x0000     |
      | flags              | 0xa14 | OK 0x0003     |
      | past the block     | 0xa18 | OK 0xffffffff |
      | further past       | 0xa1c | OK 0xffffffff |

  Scenario Outline: byte read at offset <port>
    Then qtest "inb <port>" answers "<reply>"

    Examples:
      | port  | reply     |
      | 0xa00 | OK 0x0000 |
      | 0xa01 | OK 0x00ff |
      | 0xa03 | OK 0x00ff |
      | 0xa04 | OK 0x0001 |
      | 0xa05 | OK 0x00ff |
      | 0xa14 | OK 0x0003 |
      | 0xa15 | OK 0x00ff |
      | 0xa17 | OK 0x00ff |

  Scenario Outline: word read at offset <port>
    Then qtest "inw <port>" answers "<reply>"

    Examples:
      | port  | reply     |
      | 0xa00 | OK 0x0000 |
      | 0xa02 | OK 0xffff |
      | 0xa04 | OK 0x0001 |
      | 0xa14 | OK 0x0003 |
      | 0xa16 | OK 0xffff |

  Scenario Outline: unaligned <access> is split into aligned pieces
    Then qtest "<access>" answers "<reply>"

    Examples:
      | access    | reply         |
      | inl 0xa01 | OK 0x1ffffff  |
      | inl 0xa02 | OK 0x1ffff    |
      | inl 0xa03 | OK 0xff0001ff |
      | inw 0xa01 | OK 0xffff     |
      | inw 0xa13 | OK 0x03ff     |
      | inl 0xa15 | OK 0xffffffff |

  Scenario: an empty slot reads 0 and ignores flag writes
    When the guest selects slot 0
    Then qtest "inl 0xa00" answers "OK 0x0000"
    And qtest "inl 0xa08" answers "OK 0x0000"
    When the guest reads the slot's status
    Then the slot's status is "none"

  Scenario: a selector beyond the last slot reads 0 everywhere
    When the guest selects slot 5
    Then qtest "inl 0xa00" answers "OK 0x0000"
    And qtest "inl 0xa08" answers "OK 0x0000"
    And qtest "inb 0xa14" answers "OK 0x0000"

  Scenario: the selector can be written as a byte or a word
    When qtest runs "outb 0xa00 0"
    Then qtest "inl 0xa04" answers "OK 0x0000"
    When qtest runs "outw 0xa00 1"
    Then qtest "inl 0xa04" answers "OK 0x0001"
    When qtest runs "outb 0xa01 0"
    Then qtest "inl 0xa04" answers "OK 0x0001"

  Scenario: the guest reads the slot's status in words
    When the guest reads the slot's status
    Then the slot's status is "enabled, inserting"
    When the guest acknowledges the insertion in slot 1
    And the guest reads the slot's status
    Then the slot's status is "enabled"
