@layout
Feature: RAM split and the device-memory region
  pc keeps RAM below 4 GiB up to 3.5 GiB, then splits at 3 GiB; q35 splits at 2 GiB once RAM
  reaches 2.75 GiB. device-memory starts at the first GiB boundary after RAM above 4 GiB and is
  maxmem - ram plus 1 GiB of alignment slack per slot (none for pc-i440fx-2.1 and older).

  Scenario Outline: device-memory of <machine> <memory>
    Given a "<machine>" machine started with "-m <memory>"
    Then device-memory spans <start> to <end>

    Examples:
      | machine       | memory                   | start       | end          |
      | pc            | 1G,slots=4,maxmem=8G     | 0x100000000 | 0x3bfffffff  |
      | pc            | 1G,slots=2,maxmem=4G     | 0x100000000 | 0x23fffffff  |
      | pc            | 4G,slots=4,maxmem=8G     | 0x140000000 | 0x33fffffff  |
      | pc            | 3584M,slots=2,maxmem=64G | 0x140000000 | 0x10dfffffff |
      | pc            | 1G,maxmem=8G             | 0x100000000 | 0x2bfffffff  |
      | q35           | 3G,slots=4,maxmem=16G    | 0x140000000 | 0x57fffffff  |
      | q35           | 4G,slots=4,maxmem=8G     | 0x180000000 | 0x37fffffff  |
      | q35           | 1G,slots=8,maxmem=16G    | 0x100000000 | 0x6bfffffff  |

    @qemu-7.2
    Examples: QEMU 7.2 still has pc-i440fx-2.1 (QEMU 10.0 starts at 2.4)
      | machine       | memory                   | start       | end          |
      | pc-i440fx-2.1 | 5G,slots=2,maxmem=64G    | 0x180000000 | 0x103fffffff |

  @qemu-10.0
  Scenario: QEMU 10.0 no longer has pc-i440fx-2.1
    When a machine is started with "-M pc-i440fx-2.1 -m 5G,slots=2,maxmem=64G"
    Then QEMU refuses to start with "unsupported machine type: \"pc-i440fx-2.1\""

  Scenario Outline: RAM split of <machine> with <memory>
    Given a machine started with "-M <machine> -m <memory>"
    Then "info mtree" shows:
      """
      <below>
      """

    Examples:
      | machine                  | memory | below                                                                                                        |
      | pc                       | 3583M  | 0000000000000000-00000000dfefffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-00000000dfefffff |
      | pc                       | 3584M  | 0000000000000000-00000000bfffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-00000000bfffffff |
      | q35                      | 2815M  | 0000000000000000-00000000afefffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-00000000afefffff |
      | q35                      | 2816M  | 0000000000000000-000000007fffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-000000007fffffff |
      | pc,max-ram-below-4g=2G   | 4G     | 0000000000000000-000000007fffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-000000007fffffff |

  Scenario Outline: RAM above 4 GiB of <machine> with <memory>
    Given a machine started with "-M <machine> -m <memory>"
    Then "info mtree" shows:
      """
      <above>
      """

    Examples:
      | machine                | memory | above                                                                                                        |
      | pc                     | 3584M  | 0000000100000000-000000011fffffff (prio 0, ram): alias ram-above-4g @pc.ram 00000000c0000000-00000000dfffffff |
      | q35                    | 2816M  | 0000000100000000-000000012fffffff (prio 0, ram): alias ram-above-4g @pc.ram 0000000080000000-00000000afffffff |
      | pc,max-ram-below-4g=2G | 4G     | 0000000100000000-000000017fffffff (prio 0, ram): alias ram-above-4g @pc.ram 0000000080000000-00000000ffffffff |

  @qemu-7.2
  Scenario: the region size includes 1 GiB of slack per slot
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"
    Then QMP '{"execute": "qom-get", "arguments": {"path": "/machine", "property": "device-memory-region-size"}}' returns:
      """
      11811160064
      """
    And QMP '{"execute": "qom-get", "arguments": {"path": "/machine", "property": "memory"}}' returns:
      """
      {"size": 1073741824, "slots": 4, "max-size": 8589934592}
      """

  @qemu-10.0
  Scenario: QEMU 10.0 has no device-memory-region-size property any more
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"
    When I send QMP '{"execute": "qom-get", "arguments": {"path": "/machine", "property": "device-memory-region-size"}}'
    Then it fails with "Property 'pc-i440fx-10.0-machine.device-memory-region-size' not found"
    And device-memory spans 0x100000000 to 0x3bfffffff

  Scenario: qom-get /machine memory omits slots and max-size when slots is 0
    Given a "pc" machine started with "-m 1G,maxmem=4G"
    Then QMP '{"execute": "qom-get", "arguments": {"path": "/machine", "property": "memory"}}' returns:
      """
      {"size": 1073741824}
      """

  Scenario: with max-ram-below-4g=2G the first DIMM goes to 6 GiB
    Given a machine started with "-M pc,max-ram-below-4g=2G -m 4G,slots=2,maxmem=8G"
    When I hot-add a 1G DIMM "d0"
    Then DIMM "d0" is in slot 0 at 0x180000000

  Scenario: an empty device-memory container does not show in the flat view
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    Then the flat view has no range named "device-memory"

  Scenario: a machine without maxmem has no device-memory region
    Given a "pc" machine started with "-m 1G"
    Then there is no device-memory region
