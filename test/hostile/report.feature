@hostile @<svg/onload=alert('tag')>
Feature: Hostile text in every place a report shows <script>alert('feature')</script>
  Description with <img src=x onerror=alert('description')> and <script>alert('description')</script>.

  Scenario: a hostile scenario name <img src=x onerror=alert('scenario')>
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    When I send:
      """
      {"execute": "device_add", "arguments": {"driver": "<img src=x onerror=alert('docstring')>", "id": "d0"}}
      """
    Then it fails with "'<img src=x onerror=alert(\'docstring\')>' is not a valid device model name"
    And the memory devices are:
      | id                                   | slot |
      | <img src=x onerror=alert('table')>   | 0    |

  Scenario: a hostile domain name in virsh output
    Given a domain defined by:
      """
      <domain type='qemu'>
        <name>&lt;img src=x onerror=alert('virsh')&gt;</name>
        <memory unit='KiB'>1048576</memory>
        <maxMemory slots='4' unit='KiB'>8388608</maxMemory>
        <vcpu>1</vcpu>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>
        <features><acpi/></features>
      </domain>
      """
    When I attach the device XML:
      """
      <memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target><img src=x onerror=alert('xml')>
      """
    Then virsh prints "<img src=x onerror=alert('virsh-prints')>"
