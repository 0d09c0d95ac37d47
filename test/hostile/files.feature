Feature: File steps that try to leave the suite
  Every scenario here fails (on purpose): the test checks the messages and that no file content leaks.

  Scenario: a relative path out of features/domains/
    Given a domain defined by the file "../../../../../../../../etc/passwd"

  Scenario: an absolute path
    Given a domain defined by the file "/etc/passwd"

  Scenario: a directory
    Given a domain defined by the file "devices"

  Scenario: a device file out of the suite
    Given a domain defined by the file "pc.xml"
    When I attach the device file "../../../../../../../../etc/passwd"

  Scenario: a machine file out of the suite
    Given the machine "../../../../../../etc/passwd" is started

  Scenario: a machine file that is a character device
    Given the machine "../../../../../../dev/zero" is started
