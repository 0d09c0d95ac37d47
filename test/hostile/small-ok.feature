Feature: Option names that are Object's own members are options like any other

  Scenario: constructor= and __proto__= in device_add are unknown pc-dimm properties
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And a 1G backend "m0"
    When I run "device_add pc-dimm,id=d0,memdev=m0,constructor=1"
    Then it fails with "Property 'pc-dimm.constructor' not found"
    When I run "device_add pc-dimm,id=d0,memdev=m0,__proto__=1"
    Then it fails with "Property 'pc-dimm.__proto__' not found"
    And there are no memory devices
