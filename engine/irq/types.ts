// Interrupt-controller state: the 24 GSI lines, the two i8259 chips, the IOAPIC and the statistics
// `info irq` prints. TCG models QEMU's own devices; KVM models the in-kernel irqchip as QEMU sees it.

/** One i8259 chip (PICCommonState). All fields are 8-bit values or small flags. */
export interface PicState {
  readonly master: boolean;
  readonly irr: number;
  readonly imr: number;
  readonly isr: number;
  readonly lastIrr: number;
  readonly priorityAdd: number;
  readonly irqBase: number;
  readonly readRegSelect: number;
  readonly poll: number;
  readonly specialMask: number;
  readonly initState: number;
  readonly autoEoi: number;
  readonly rotateOnAutoEoi: number;
  readonly specialFullyNestedMode: number;
  readonly init4: number;
  readonly singleMode: number;
  readonly elcr: number;
  /** 0xf8 master, 0xde slave. */
  readonly elcrMask: number;
  /** ICW1's LTIM bit (every input level-triggered), where the release honours it (IrqState.ltim); absent: 0. */
  readonly ltim?: number;
}

export interface IoapicState {
  /** 0x20 for TCG's `ioapic`, 0x11 for `kvm-ioapic`. */
  readonly version: number;
  readonly id: number;
  /** IOREGSEL (uint8). */
  readonly ioregsel: number;
  /** Bitmask of the 24 pins. */
  readonly irr: number;
  /** 24 redirection entries (64-bit). */
  readonly redtbl: readonly bigint[];
}

/** Level cache and rising-edge counters behind `info irq` (pic_stat_update_irq / ioapic_stat_update_irq). */
export interface IrqStats {
  readonly level: readonly number[];
  readonly count: readonly number[];
}

export interface IrqState {
  /** 'kvm': in-kernel irqchip (kvm-i8259 / kvm-ioapic; the guest's port/MMIO accesses never reach QEMU). */
  readonly mode: 'tcg' | 'kvm';
  /** Last level set on each of the 24 GSI lines (x86ms->gsi[n]). */
  readonly gsi: readonly number[];
  /** [master (pic0, 0x20), slave (pic1, 0xa0)]. */
  readonly pic: readonly [PicState, PicState];
  readonly ioapic: IoapicState;
  /** i8259 statistics, global index 0..15 (only the master reports them). */
  readonly picStats: IrqStats;
  /** IOAPIC statistics per input pin 0..23 (before the 0 → 2 remap). */
  readonly ioapicStats: IrqStats;
  /** The i8259 honours ICW1's LTIM bit (QEMU 10.0; 7.2 logs it as unimplemented). */
  readonly ltim?: boolean;
}

export const GSI_NUM_PINS = 24;
export const ISA_NUM_IRQS = 16;
