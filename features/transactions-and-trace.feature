@trace @model-only
Feature: The causal path of a hotplug, in QEMU's own function names
  The model records what QEMU does for each command: pre-plug checks, realize, plug, the memory
  transaction that re-renders the flat view, the KVM slot, and the ACPI event that updates the SCI.
  These are the call chains of the seed material; the scenarios check their order.

  Background:
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"

  @qemu-7.2
  Scenario: device_add from QMP to the SCI update
    When I hot-add a 1G DIMM "dimm0"
    Then the trace passes through, in order:
      """
      qdev_device_add
      pc_memory_pre_plug
      pc_dimm_pre_plug
      memory_device_pre_plug
      pc_dimm_realize
      pc_memory_plug
      memory_region_add_subregion
      memory_region_transaction_commit
      piix4_device_plug_cb
      acpi_memory_plug_cb
      acpi_send_event
      acpi_update_sci
      """

  @qemu-10.0
  Scenario: device_add from QMP to the SCI update (QEMU 10.0 hands the JSON to qdev_device_add_from_qdict)
    When I hot-add a 1G DIMM "dimm0"
    Then the trace passes through, in order:
      """
      qmp_device_add
      qdev_device_add_from_qdict
      pc_memory_pre_plug
      pc_dimm_pre_plug
      memory_device_pre_plug
      pc_dimm_realize
      pc_memory_plug
      memory_region_add_subregion
      memory_region_transaction_commit
      piix4_device_plug_cb
      acpi_memory_plug_cb
      acpi_send_event
      acpi_update_sci
      """

  Scenario: a refused device_add stops in pre-plug
    When I hot-add a 1G DIMM "d0" into slot 7
    Then it fails with "invalid slot number 7, valid range is [0-3]"
    And the trace passes through "pc_dimm_pre_plug"
    And the trace does not pass through "memory_region_add_subregion"
    And the machine is unchanged

  Scenario: the unplug request only signals the guest
    Given I hot-add a 1G DIMM "d0"
    When I request unplug of "d0"
    Then the trace passes through, in order:
      """
      qmp_device_del
      acpi_memory_unplug_request_cb
      acpi_send_event
      acpi_update_sci
      """
    And the trace does not pass through "memory_device_unplug"

  Scenario: the eject removes the region in one transaction
    Given I hot-add a 1G DIMM "d0"
    When the guest ejects slot 0
    Then the trace passes through, in order:
      """
      pc_memory_unplug
      acpi_memory_unplug_cb
      memory_device_unplug
      memory_region_transaction_commit
      qdev_unrealize
      object_unparent
      """
