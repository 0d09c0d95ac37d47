Feature: Guest steps with values the guest cannot write
  Every scenario here fails (on purpose): the test checks the messages.

  Background:
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"

  Scenario: GPE bit 16 on pc
    When the guest enables GPE bit 16

  Scenario: GPE bit -5
    When the guest disables GPE bit -5

  Scenario: slot -1
    When the guest ejects slot -1

  Scenario: a {hex} value beyond 2^53
    When the guest reports OST event 0x20000000000001 with status 0x80 for slot 0

  Scenario: a carriage return inside a qtest line
    When qtest runs "inb 0xafe0endianness"
