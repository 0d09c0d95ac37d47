@startup
Feature: QEMU refuses to start
  Invalid -m, NUMA, cold-plug or backend options stop QEMU before the machine exists; the message
  is QEMU's error line without the leading "qemu-system-x86_64: ". A cold-plugged device's error
  carries its -device option as a prefix, as QEMU's error location does.

  Scenario Outline: <case>
    When a machine is started with "<options>"
    Then QEMU refuses to start with "<error>"

    Examples: -m
      | case                         | options                                     | error                                                                                                                     |
      | slots without maxmem         | -M pc -m 1G,slots=4                          | slots specified but no max-size                                                                                          |
      | maxmem below the size        | -M pc -m 4G,slots=2,maxmem=2G                | invalid value of maxmem: maximum memory size (0x80000000) must be at least the initial memory size (0x100000000)         |
      | maxmem equal to the size     | -M q35 -m 1G,slots=2,maxmem=1G               | invalid value of maxmem: memory slots were specified but maximum memory size (0x40000000) is equal to the initial memory size (0x40000000) |
      | more than 256 slots          | -M pc -m 1G,slots=257,maxmem=8G              | unsupported amount of memory slots: 257                                                                                  |
      | maxmem not 4 KiB aligned     | -M pc -m 1G,slots=2,maxmem=2147484160        | maximum memory size must by aligned to multiple of 4096 bytes                                                            |
      | 40 phys-bits exceeded        | -M pc -m 1G,slots=2,maxmem=1010G             | Address space limit 0xffffffffff < 0x1fd3fffffff phys-bits too low (40)                                                  |

    Examples: NUMA and backends
      | case                         | options                                                      | error                                                              |
      | NUMA nodes without memory    | -M pc -m 1G,slots=2,maxmem=4G -numa node,nodeid=0 -numa node,nodeid=1 | total memory for NUMA nodes (0x0) should equal RAM size (0x40000000) |

    Examples: cold plug
      | case                          | options                                                                                   | error                                                                                           |
      | cold-plugged slot out of range | -M pc -m 1G,slots=4,maxmem=8G -object memory-backend-ram,id=cm0,size=1G -device pc-dimm,id=cold0,memdev=cm0,slot=5 | -device pc-dimm,id=cold0,memdev=cm0,slot=5: invalid slot number 5, valid range is [0-3] |
      | cold plug without slots        | -M pc -m 1G -object memory-backend-ram,id=cm0,size=512M -device pc-dimm,id=cold0,memdev=cm0 | -device pc-dimm,id=cold0,memdev=cm0: no slots where allocated, please specify the 'slots' option |
      | cold plug of an unknown memdev | -M q35 -m 1G,slots=4,maxmem=8G -device pc-dimm,id=cold0,memdev=nope                         | -device pc-dimm,id=cold0,memdev=nope: Device 'nope' not found                                  |

  @qemu-7.2
  Scenario: maxmem=1000G still fits below the AMD HyperTransport hole
    When a machine is started with "-M pc -m 1G,slots=2,maxmem=1000G"
    Then the machine starts
    And QMP '{"execute": "qom-get", "arguments": {"path": "/machine", "property": "device-memory-region-size"}}' returns:
      """
      1074815565824
      """

  @qemu-10.0
  Scenario: maxmem=1000G still fits below the AMD HyperTransport hole (QEMU 10.0)
    When a machine is started with "-M pc -m 1G,slots=2,maxmem=1000G"
    Then the machine starts
    And device-memory spans 0x100000000 to 0xfb3fffffff

  Scenario: a machine from a YAML file that QEMU refuses
    When the machine "slots-without-maxmem" is started
    Then QEMU refuses to start with "slots specified but no max-size"
