@model-only @trace @call-chains
Feature: The call chains of a hot-add, in QEMU's function names
  The model's trace names every hop QEMU 7.2 goes through, emitted by the function that models it (grep the
  name: docs/call-chains.md maps each hop to its file and function). Indentation is the call level: the
  i8259's and the IOAPIC's inputs are siblings under the GSI handler, as gsi_handler / kvm_pc_gsi_handler
  call them one after the other (the scenarios intercept the IOAPIC's inputs with qtest, so
  qtest_irq_handler sits in front of them). QEMU's own trace points referee what they can (features/trace-events.feature);
  the chain itself is the model's account, hence @model-only. A hop QEMU 10.0 renamed is written
  `7.2's name | 10.0's name`.

  Scenario: pc under TCG: device_add down to the emulated i8259 and IOAPIC
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And a 256M backend "m0"
    When I run "device_add pc-dimm,id=d0,memdev=m0"
    Then the trace has the call chain:
      """
      qmp_device_add
        qdev_device_add | qdev_device_add_from_qdict
          device_set_realized
            pc_machine_device_pre_plug_cb
              pc_memory_pre_plug
                piix4_device_pre_plug_cb
                pc_dimm_pre_plug
                  memory_device_pre_plug
            pc_dimm_realize
            pc_machine_device_plug_cb
              pc_memory_plug
                pc_dimm_plug
                  memory_device_plug
                    memory_region_add_subregion
                      memory_region_transaction_begin
                      memory_region_transaction_commit
                        flatviews_reset
                          generate_memory_topology
                            render_memory_region
                        address_space_set_flatview
                          address_space_update_topology_pass
                piix4_device_plug_cb
                  acpi_memory_plug_cb
                    acpi_send_event
                      piix4_send_gpe
                        acpi_send_gpe_event
                          acpi_update_sci
                            qemu_set_irq
                              gsi_handler
                                pic_set_irq
                                  pic_stat_update_irq
                                  pic_set_irq
                                    pic_stat_update_irq
                                qtest_irq_handler
                                  ioapic_set_irq
                                    ioapic_stat_update_irq
      """
    And the trace does not pass through "kvm_region_add"

  Scenario: pc under KVM: the KVM memory listener and the in-kernel irqchip
    Given a machine started with "-M pc -m 1G,slots=2,maxmem=4G -accel kvm"
    And a 256M backend "m0"
    When I run "device_add pc-dimm,id=d0,memdev=m0"
    Then the trace has the call chain:
      """
      pc_dimm_plug
        memory_device_plug
          memory_region_add_subregion
            memory_region_transaction_begin
            memory_region_transaction_commit
              address_space_set_flatview
                address_space_update_topology_pass
                  kvm_region_add
                    kvm_set_phys_mem
      """
    And the trace has the call chain:
      """
      acpi_send_event
        piix4_send_gpe
          acpi_send_gpe_event
            acpi_update_sci
              qemu_set_irq
                kvm_pc_gsi_handler
                  kvm_pic_set_irq
                    pic_stat_update_irq
                    kvm_set_irq
                  qtest_irq_handler
                    kvm_ioapic_set_irq
                      ioapic_stat_update_irq
                      kvm_set_irq
      """
    And the trace does not pass through "pic_set_irq"
    And the trace does not pass through "gsi_handler"

  Scenario: q35 under TCG: ICH9's plug callback, and the SCI through the LPC when its level changes
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And the firmware enables the ACPI PM registers
    And the guest enables GPE bit 3
    And a 256M backend "m0"
    When I run "device_add pc-dimm,id=d0,memdev=m0"
    Then the trace has the call chain:
      """
      pc_machine_device_plug_cb
        pc_memory_plug
          pc_dimm_plug
            memory_device_plug
              memory_region_add_subregion
          ich9_pm_device_plug_cb
            acpi_memory_plug_cb
              acpi_send_event
                ich9_send_gpe
                  acpi_send_gpe_event
                    acpi_update_sci
                      ich9_set_sci
                        ich9_lpc_update_pic
                          gsi_handler
                            pic_set_irq
                              pic_stat_update_irq
                              pic_set_irq
                            qtest_irq_handler
                              ioapic_set_irq
      """
    And IRQ 9 was raised

  Scenario: q35 under KVM
    Given a machine started with "-M q35 -m 1G,slots=2,maxmem=4G -accel kvm"
    And the firmware enables the ACPI PM registers
    And the guest enables GPE bit 3
    And a 256M backend "m0"
    When I run "device_add pc-dimm,id=d0,memdev=m0"
    Then the trace has the call chain:
      """
      ich9_pm_device_plug_cb
        acpi_memory_plug_cb
          acpi_send_event
            ich9_send_gpe
              acpi_send_gpe_event
                acpi_update_sci
                  ich9_set_sci
                    ich9_lpc_update_pic
                      kvm_pc_gsi_handler
                        kvm_pic_set_irq
                          pic_stat_update_irq
                          kvm_set_irq
                        qtest_irq_handler
                          kvm_ioapic_set_irq
                            kvm_set_irq
      """
    And the trace passes through "kvm_set_phys_mem"

  Scenario: q35: ICH9's pre_plug, and its unplug callbacks for the request and the eject
    Given a "q35" machine started with "-m 1G,slots=2,maxmem=4G"
    And the firmware enables the ACPI PM registers
    And a 256M backend "m0"
    When I run "device_add pc-dimm,id=d0,memdev=m0"
    Then the trace has the call chain:
      """
      pc_machine_device_pre_plug_cb
        pc_memory_pre_plug
          ich9_pm_device_pre_plug_cb
          pc_dimm_pre_plug
      """
    When I request unplug of "d0"
    Then the trace has the call chain:
      """
      qmp_device_del
        qdev_unplug
          pc_machine_device_unplug_request_cb
            pc_memory_unplug_request
              ich9_pm_device_unplug_request_cb
                acpi_memory_unplug_request_cb
                  acpi_send_event
                    ich9_send_gpe
                      acpi_send_gpe_event
      """
    When the guest ejects slot 0
    Then the trace has the call chain:
      """
      acpi_memory_hotplug_write
        pc_machine_device_unplug_cb
          pc_memory_unplug
            ich9_pm_device_unplug_cb
              acpi_memory_unplug_cb
            pc_dimm_unplug
        object_unparent
      """

  Scenario: the guest's eject: the unplug chain
    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"
    And I hot-add a 256M DIMM "d0"
    And I request unplug of "d0"
    When the guest ejects slot 0
    Then the trace has the call chain:
      """
      acpi_memory_hotplug_write
        pc_machine_device_unplug_cb
          pc_memory_unplug
            piix4_device_unplug_cb
              acpi_memory_unplug_cb
            pc_dimm_unplug
              memory_device_unplug
                memory_region_transaction_begin
                memory_region_transaction_commit
            qdev_unrealize
        object_unparent
      """

  Rule: libvirt's attach and detach above QEMU's chains (libvirt's function names; docs/call-chains.md §3)

    Scenario: libvirt on pc under TCG: virsh attach-device down to QEMU's plug handler and the SCI
      Given a domain defined by the file "pc.xml"
      When I attach the device file "devices/seed.xml"
      Then the trace has the call chain:
        """
        virDomainAttachDeviceFlags
          qemuDomainAttachDeviceFlags
            qemuDomainAttachMemory
              qemuMonitorAddObject
                user_creatable_add_type
              qemuMonitorAddDeviceProps
                qmp_device_add
                  qdev_device_add | qdev_device_add_from_qdict
                    device_set_realized
                      pc_machine_device_pre_plug_cb
                      pc_dimm_realize
                      pc_machine_device_plug_cb
                        pc_memory_plug
                          pc_dimm_plug
                            memory_device_plug
                              memory_region_add_subregion
                                memory_region_transaction_begin
                                memory_region_transaction_commit
                          piix4_device_plug_cb
                            acpi_memory_plug_cb
                              acpi_send_event
                                piix4_send_gpe
                                  acpi_send_gpe_event
                                    acpi_update_sci
                                      qemu_set_irq
                                        gsi_handler
                                          pic_set_irq
                                          qtest_irq_handler
                                            ioapic_set_irq
              qemuProcessRefreshBalloonState
                qemuMonitorGetBalloonInfo
              qemuDomainUpdateMemoryDeviceInfo
                qemuMonitorGetMemoryDeviceInfo
            qemuDomainUpdateDeviceList
              qemuMonitorGetDeviceAliases
        """
      And the trace does not pass through "kvm_set_phys_mem"

    Scenario: libvirt on q35 under KVM: ICH9's plug callback, the KVM memory listener and the in-kernel irqchip
      Given a domain defined by:
        """
        <domain type='kvm'>
          <name>hp-q35-kvm</name>
          <memory unit='KiB'>1048576</memory>
          <maxMemory slots='4' unit='KiB'>8388608</maxMemory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          <features><acpi/></features>
          <cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
          </devices>
        </domain>
        """
      When I attach the device file "devices/dimm-512m.xml"
      Then the trace has the call chain:
        """
        virDomainAttachDeviceFlags
          qemuDomainAttachDeviceFlags
            qemuDomainAttachMemory
              qemuMonitorAddObject
              qemuMonitorAddDeviceProps
                qmp_device_add
                  qdev_device_add | qdev_device_add_from_qdict
                    device_set_realized
                      pc_machine_device_plug_cb
                        pc_memory_plug
                          pc_dimm_plug
                            memory_device_plug
                              memory_region_add_subregion
                                memory_region_transaction_commit
                                  address_space_set_flatview
                                    address_space_update_topology_pass
                                      kvm_region_add
                                        kvm_set_phys_mem
                          ich9_pm_device_plug_cb
                            acpi_memory_plug_cb
                              acpi_send_event
                                ich9_send_gpe
                                  acpi_send_gpe_event
                                    acpi_update_sci
        """
      And the trace does not pass through "gsi_handler"

    Scenario: libvirt's detach: device_del, the guest's eject while libvirt waits, then object-del
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      When I detach the device file "devices/seed.xml" while the guest ejects it
      Then the trace has the call chain:
        """
        virDomainDetachDeviceFlags
          qemuDomainDetachDeviceFlags
            qemuDomainDetachDeviceLive
              qemuDomainDetachPrepMemory
              qemuDomainDeleteDevice
                qemuMonitorDelDevice
                  qmp_device_del
                    qdev_unplug
                      pc_machine_device_unplug_request_cb
                        pc_memory_unplug_request
                          piix4_device_unplug_request_cb
                            acpi_memory_unplug_request_cb
                              acpi_send_event
                                piix4_send_gpe
              qemuDomainWaitForDeviceRemoval
        """
      # the guest's eject is not libvirt's call: its trace stands at the top level, while libvirt waits
      And the trace has the call chain:
        """
        acpi_memory_hotplug_write
          pc_machine_device_unplug_cb
            pc_memory_unplug
              piix4_device_unplug_cb
                acpi_memory_unplug_cb
              pc_dimm_unplug
                memory_device_unplug
              qdev_unrealize
          object_unparent
        """
      And the trace passes through, in order:
        """
        qemuDomainWaitForDeviceRemoval
        acpi_memory_hotplug_write
        qemuDomainRemoveDevice
        qemuDomainRemoveMemoryDevice
        qemuMonitorDelObject
        user_creatable_del
        qemuProcessRefreshBalloonState
        qemuDomainUpdateDeviceList
        """
      And the trace has the call chain:
        """
        qemuDomainDetachDeviceLive
          qemuDomainRemoveDevice
            qemuDomainRemoveMemoryDevice
              qemuMonitorDelObject
                user_creatable_del
              qemuProcessRefreshBalloonState
                qemuMonitorGetBalloonInfo
        """

    Scenario: libvirt on an eject nobody waits for: the event worker removes the DIMM
      Given a domain defined by the file "pc.xml"
      And I attach the device file "devices/seed.xml"
      And I detach the device file "devices/seed.xml"
      When the guest ejects slot 0
      Then the trace has the call chain:
        """
        cpu_outb
          acpi_memory_hotplug_write
            pc_machine_device_unplug_cb
              pc_memory_unplug
            object_unparent
        processDeviceDeletedEvent
          qemuDomainRemoveDevice
            qemuDomainRemoveMemoryDevice
              qemuMonitorDelObject
                user_creatable_del
              qemuProcessRefreshBalloonState
        """
