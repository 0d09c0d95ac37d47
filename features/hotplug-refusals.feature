@refusal
Feature: Refused hot-adds, with QEMU's exact message
  Every check of pc_memory_pre_plug, pc_dimm_pre_plug, memory_device_pre_plug and pc_dimm_realize,
  with the message QEMU 7.2 prints. A refused device_add changes nothing: no device, no address,
  no slot, no GPE status bit, and the backend stays free.

  Background:
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"
    And I hot-add a 1G DIMM "d1" into slot 1 at 0x140000000
    And a 1G backend "m2"
    And a 512M backend "m512"
    And a 4096 backend "m4k"
    And a 7G backend "big"
    And a 1052672 backend "odd"

  Scenario Outline: <case>
    When I run "<command>"
    Then it fails with "<error>"
    And the machine is unchanged

    Examples: slots
      | case                     | command                                      | error                                       |
      | slot out of range        | device_add pc-dimm,id=d2,memdev=m2,slot=4     | invalid slot number 4, valid range is [0-3]  |
      | negative slot            | device_add pc-dimm,id=d2,memdev=m2,slot=-2    | invalid slot number -2, valid range is [0-3] |
      | slot already used        | device_add pc-dimm,id=d2,memdev=m2,slot=1     | slot 1 is busy                               |

    Examples: addresses
      | case                         | command                                                   | error                                                                                                        |
      | address overlaps exactly      | device_add pc-dimm,id=d2,memdev=m2,addr=0x140000000       | address range conflicts with memory device id='d1'                                                           |
      | address overlaps partially    | device_add pc-dimm,id=d2,memdev=m512,addr=0x160000000     | address range conflicts with memory device id='d1'                                                           |
      | address 4 KiB off 2 MiB       | device_add pc-dimm,id=d2,memdev=m2,addr=0x100001000       | address must be aligned to 0x200000 bytes                                                                    |
      | address 1 MiB off 2 MiB       | device_add pc-dimm,id=d2,memdev=m2,addr=0x100100000       | address must be aligned to 0x200000 bytes                                                                    |
      | address below device memory   | device_add pc-dimm,id=d2,memdev=m2,addr=0x1000000         | can't add memory device [0x1000000:0x40000000], usable range for memory devices [0x100000000:0x2c0000000]  |
      | address beyond device memory  | device_add pc-dimm,id=d2,memdev=m2,addr=0x3c0000000       | can't add memory device [0x3c0000000:0x40000000], usable range for memory devices [0x100000000:0x2c0000000] |
      | address straddling the end    | device_add pc-dimm,id=d2,memdev=m2,addr=0x3a0000000       | can't add memory device [0x3a0000000:0x40000000], usable range for memory devices [0x100000000:0x2c0000000] |

    Examples: sizes
      | case                         | command                                   | error                                                                                |
      | more than maxmem - ram        | device_add pc-dimm,id=d2,memdev=big       | not enough space, currently 0x40000000 in use of total space for memory devices 0x1c0000000 |
      | 4 KiB backend                 | device_add pc-dimm,id=d2,memdev=m4k       | backend memory size must be multiple of 0x200000                                     |
      | 1 MiB + 4 KiB backend         | device_add pc-dimm,id=d2,memdev=odd       | backend memory size must be multiple of 0x200000                                     |

    Examples: memdev and node
      | case                     | command                                   | error                                                                   |
      | memdev already in use     | device_add pc-dimm,id=d2,memdev=memd1      | can't use already busy memdev: memd1                                     |
      | main RAM as memdev        | device_add pc-dimm,id=d2,memdev=pc.ram     | can't use already busy memdev: pc.ram                                    |
      | memdev missing            | device_add pc-dimm,id=d2                   | 'memdev' property must be set                                            |
      | node beyond the one node  | device_add pc-dimm,id=d2,memdev=m2,node=1  | 'DIMM property node has value 1' which exceeds the number of numa nodes: 1 |

    Examples: qdev
      | case                 | command                                     | error                                         |
      | duplicate device id  | device_add pc-dimm,id=d1,memdev=m2           | Duplicate device ID 'd1'                      |
      | unknown property     | device_add pc-dimm,id=d2,memdev=m2,foo=1     | Property 'pc-dimm.foo' not found              |
      | unknown driver       | device_add no-such-dimm,id=d3                | 'no-such-dimm' is not a valid device model name |
      | size is read-only    | device_add pc-dimm,id=d2,memdev=m2,size=1    | Property 'pc-dimm.size' is not writable       |

    @qemu-7.2
    Examples: qdev, QEMU 7.2 (QMP arguments become QemuOpts strings)
      | case                 | command                                     | error                                         |
      | slot is not a number | device_add pc-dimm,id=d2,memdev=m2,slot=x    | Parameter 'slot' expects integer              |

    @qemu-10.0
    Examples: qdev, QEMU 10.0 (QMP arguments keep their JSON types)
      | case                 | command                                     | error                                         |
      | slot is not a number | device_add pc-dimm,id=d2,memdev=m2,slot=x    | Invalid parameter type for 'slot', expected: integer |

  Scenario: an unknown memdev is a DeviceNotFound error
    When I run "device_add pc-dimm,id=d2,memdev=nope"
    Then it fails with a DeviceNotFound error "Device 'nope' not found"
    And the machine is unchanged

  Scenario Outline: when several checks fail, QEMU reports the first in its order (<case>)
    When I run "<command>"
    Then it fails with "<error>"

    Examples:
      | case                              | command                                                | error                                                                                       |
      | busy slot before busy memdev       | device_add pc-dimm,id=x1,memdev=memd1,slot=1            | slot 1 is busy                                                                              |
      | node before busy memdev            | device_add pc-dimm,id=x2,memdev=memd1,node=5            | 'DIMM property node has value 5' which exceeds the number of numa nodes: 1                  |
      | capacity before address alignment  | device_add pc-dimm,id=x3,memdev=big,addr=0x100001000    | not enough space, currently 0x40000000 in use of total space for memory devices 0x1c0000000 |
      | size alignment before range        | device_add pc-dimm,id=x5,memdev=odd,addr=0x1000000      | backend memory size must be multiple of 0x200000                                            |
      | overlap before node                | device_add pc-dimm,id=x6,memdev=m2,addr=0x140000000,node=3 | address range conflicts with memory device id='d1'                                       |

    @qemu-7.2
    Examples: QEMU 7.2 checks the address hint before the size
      | case                              | command                                                | error                                                                                       |
      | address before size alignment      | device_add pc-dimm,id=x4,memdev=odd,addr=0x100001000    | address must be aligned to 0x200000 bytes                                                   |

    @qemu-10.0
    Examples: QEMU 10.0 checks the size before the address hint
      | case                              | command                                                | error                                                                                       |
      | size before address alignment      | device_add pc-dimm,id=x4,memdev=odd,addr=0x100001000    | backend memory size must be multiple of 0x200000                                            |

  Scenario: no free slot left, even for a busy memdev
    Given I hot-add a 256M DIMM "d0"
    And I hot-add a 256M DIMM "d2"
    And I hot-add a 256M DIMM "d3"
    When I hot-add a 256M DIMM "d4"
    Then it fails with "no free slots available"
    When I run "device_add pc-dimm,id=d5,memdev=memd0"
    Then it fails with "no free slots available"
    And the machine is unchanged

  Scenario: a refused hot-add in words deletes the backend it created, as libvirt does
    When I hot-add a 256M DIMM "d9" into slot 9
    Then it fails with "invalid slot number 9, valid range is [0-3]"
    And the machine is unchanged
    When I add a 256M backend "memd9"
    Then it succeeds
