// ACPI state of the PM device (PIIX4_PM on pc, ICH9-LPC on q35): the memory-hotplug register block at
// 0x0a00 (MemHotplugState), GPE0/PM1 registers (ACPIREGS), the SCI level and the PCI configuration
// spaces the guest programs through 0xcf8/0xcfc.

/** One memory-hotplug slot (MemStatus). The dimm is referenced by its QOM path while plugged. */
export interface MemSlotStatus {
  /** QOM path of the plugged pc-dimm (`mdev->dimm`); absent when the slot is empty or ejected. */
  readonly dimm?: string;
  readonly enabled: boolean;
  readonly inserting: boolean;
  readonly removing: boolean;
  /** _OST event and status as the guest last wrote them (uint32). */
  readonly ostEvent: number;
  readonly ostStatus: number;
}

export interface MemHotplugState {
  /** uint32; any value is stored, values >= slots.length select nothing. */
  readonly selector: number;
  /** dev_count = ram_slots entries. */
  readonly slots: readonly MemSlotStatus[];
}

/** A PCI function's 256-byte configuration space plus its write mask. */
export interface PciFunction {
  /** `devfn` = slot << 3 | function, on bus 0. */
  readonly devfn: number;
  readonly name: string;
  readonly config: readonly number[];
  readonly wmask: readonly number[];
}

export interface AcpiState {
  /** The ACPI PM device: PIIX4_PM (`-M pc`), ICH9-LPC (`-M q35`, also with acpi=off), none (`-M pc,acpi=off`). */
  readonly device: 'piix4' | 'ich9' | 'none';
  /** The `acpi-mem-hotplug` block; absent when slots = 0 or memory-hotplug-support=off (ports unassigned). */
  readonly memhp?: MemHotplugState;
  /** GPE0 STS and EN bytes (len/2 each: 2 on PIIX4, 8 on ICH9). Only byte 0 drives the SCI. */
  readonly gpeSts: readonly number[];
  readonly gpeEn: readonly number[];
  /** PM1 event status/enable and control (16-bit). */
  readonly pm1Sts: number;
  readonly pm1En: number;
  readonly pm1Cnt: number;
  /**
   * PM timer overflow time is 0 (after reset): TMR_STS latches on the next PM1_STS read. The virtual clock is
   * stopped (-S), so once the guest clears TMR_STS it never sets again.
   */
  readonly tmrOverflowDue: boolean;
  /** Level last given to qemu_set_irq(sci) (ICH9: lpc->sci_level). */
  readonly sciLevel: number;
  /** ICH9: GSI the SCI is routed to (ACPI_CTRL SCI_IRQ_SEL); PIIX4: always 9. */
  readonly sciGsi: number;
  /** 0xcf8 CONFIG_ADDRESS. */
  readonly configReg: number;
  /** Functions on PCI bus 0 that answer configuration cycles. */
  readonly pci: readonly PciFunction[];
  /** Reset control register at 0xcf9 (PIIX3 RCR / ICH9 RST_CNT). */
  readonly resetControl: number;
  /** ICH9 SMI_EN at PMBASE+0x30. */
  readonly smiEn: number;
  /** The APM ports (hw/isa/apm.c): APMC at 0xb2, APMS at 0xb3 (no reset handler: they survive system_reset). */
  readonly apmc?: number;
  readonly apms?: number;
}
