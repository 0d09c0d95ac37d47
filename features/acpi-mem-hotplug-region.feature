@acpi
Feature: Where the memory hotplug block exists
  PIIX4_PM and ICH9-LPC map the 24-byte "acpi-mem-hotplug" I/O region at 0x0a00 only when the machine has
  DIMM slots and memory-hotplug-support is on; otherwise the ports are unassigned and read as all ones.

  Scenario Outline: <machine> with <memory>
    Given a machine started with "-M <machine> -m <memory>"
    Then the I/O space has "acpi-mem-hotplug" at 0xa00-0xa17

    Examples:
      | machine | memory               |
      | pc      | 1G,slots=2,maxmem=4G |
      | q35     | 1G,slots=4,maxmem=8G |

  Scenario: without slots there is no block
    Given a machine started with "-M pc -m 1G,maxmem=8G"
    Then the I/O space has no "acpi-mem-hotplug"

  Scenario: with memory-hotplug-support=off the ports read as all ones
    Given a machine started with "-M pc -m 1G,slots=2,maxmem=4G -global PIIX4_PM.memory-hotplug-support=off"
    Then the I/O space has no "acpi-mem-hotplug"
    And port 0xa14 reads 0xff
    And qtest "inl 0xa00" answers "OK 0xffffffff"
