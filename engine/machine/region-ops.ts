// The MemoryRegionOps of the board's modelled I/O devices: what reads and writes of a region of the memory
// map (machine/memory-map.ts) do, with their valid and impl access sizes, keyed by the region's id. Where a
// device sits is the memory map's business (the PM block moves when the guest programs PMBASE, the
// reset control register overlays CONFIG_ADDRESS): dispatch.ts finds the region in the flat view, this
// module says what it does. A region without ops here is a device the model only draws.

import { qemuOf } from '../versions';
import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { done, trace, type Effects, type Transition } from '../effects';
import { ACPI_MEM_HOTPLUG_ID, ACPI_CNT_ID, ACPI_EVT_ID, ACPI_GPE0_ID, ACPI_TMR_ID, HPET_BASE, HPET_ID } from './memory-map';
import { acpi_memory_hotplug_read, acpi_memory_hotplug_write } from '../acpi/memhp';
import { pc_machine_device_unplug_cb } from './pc';
import { gpeReadb, gpeWriteByte, pm1CntWrite, pm1EvtRead, pm1EvtWrite } from '../acpi/gpe';
import { pciDataRead, pciDataWrite } from '../acpi/pci-config';
import { apmIoportRead, apmIoportWrite } from '../acpi/apm';
import { elcrRead, elcrWrite, picIoportRead, picIoportWrite } from '../irq/i8259';
import { ioapicMemRead, ioapicMmioWrite } from '../irq/ioapic';
import type { IrqState } from '../irq/types';

export type ReadFn = (s: MachineState, off: number, size: number) => { state: MachineState; value: number; fx?: Effects };
export type WriteFn = (s: MachineState, off: number, size: number, val: number) => Transition<MachineState>;

/** MemoryRegionOps: read/write, valid.min/max_access_size and impl.min/max_access_size (0 or absent = 1 and 4). */
export interface RegionOps {
  readonly validMin?: number;
  readonly validMax?: number;
  readonly implMin?: number;
  readonly implMax?: number;
  /** false: the device is not emulated here (an in-kernel irqchip under KVM): reads 0, writes dropped. */
  readonly accepts?: boolean;
  readonly read?: ReadFn;
  readonly write?: WriteFn;
}

const rd = (f: (s: MachineState, off: number, size: number) => number): ReadFn => (s, off, size) => ({ state: s, value: f(s, off, size) });

/** The in-kernel i8259/ELCR/IOAPIC under KVM: QEMU's own device is not in the path. */
const IN_KERNEL: RegionOps = { accepts: false };

/** i8259 (pic@0x20 master, pic@0xa0 slave). */
function picOps(chip: 0 | 1): RegionOps {
  return {
    implMin: 1, implMax: 1,
    read: (s, off) => { const r = picIoportRead(s.irq, chip, off); return { state: { ...s, irq: r.state }, value: r.value, fx: r.fx }; },
    write: (s, off, _z, v) => { const t = picIoportWrite(s.irq, chip, off, v); return { state: { ...s, irq: t.state }, fx: t.fx }; },
  };
}

/** ELCR (elcr@0x4d0 master, elcr@0x4d1 slave). */
function elcrOps(chip: 0 | 1): RegionOps {
  return {
    implMin: 1, implMax: 1,
    read: rd((s) => elcrRead(s.irq, chip)),
    write: (s, _o, _z, v) => done({ ...s, irq: elcrWrite(s.irq, chip, v) }, trace('elcr_ioport_write', `${chip ? 'slave' : 'master'} 0x${(v & 0xff).toString(16)}`)),
  };
}

/** The reset control register (PIIX3 / ICH9-LPC RCR at 0xcf9, priority 1 over CONFIG_ADDRESS). */
function resetControlOps(pc: boolean): RegionOps {
  return {
    implMin: 1, implMax: pc ? 1 : 0,
    read: rd((s) => s.acpi.resetControl),
    write: (s, _o, _z, v) => {
      // RCR bit 2 (SYS_RST) makes QEMU reset the machine (qemu_system_reset_request, RESET guest-reset).
      if (v & 4) throw new ModelLimit(`guest reset through the reset control register (outb 0xcf9 0x${(v & 0xff).toString(16)})`);
      return done({ ...s, acpi: { ...s.acpi, resetControl: v & (pc ? 2 : 0xa) } });
    },
  };
}

const PCI_CONF_IDX: RegionOps = {
  read: rd((s) => s.acpi.configReg),
  write: (s, off, size, v) => (off !== 0 || size !== 4 ? done(s) : done({ ...s, acpi: { ...s.acpi, configReg: v >>> 0 } })),
};

const PCI_CONF_DATA: RegionOps = {
  read: rd((s, off, size) => (s.acpi.configReg & 0x80000000 ? pciDataRead(s.acpi, (s.acpi.configReg | (off & 3)) >>> 0, size) : 0xffffffff)),
  write: (s, off, size, v) => (s.acpi.configReg & 0x80000000 ? pciDataWrite(s, (s.acpi.configReg | (off & 3)) >>> 0, v, size) : done(s)),
};

const APM_IO: RegionOps = {
  implMin: 1, implMax: 1,
  read: rd((s, off) => apmIoportRead(s, off)),
  write: (s, off, _z, v) => apmIoportWrite(s, off, v),
};

/** The memory-hotplug block; the guest's eject goes to the machine's hotplug handler. */
const ACPI_MEM_HOTPLUG: RegionOps = {
  validMin: 1, validMax: 4,
  read: (s, off) => { const r = acpi_memory_hotplug_read(s, off); return { state: s, value: r.value, fx: r.fx }; },
  write: (s, off, _z, v) => acpi_memory_hotplug_write(s, off, v, pc_machine_device_unplug_cb),
};

const ACPI_GPE0: RegionOps = {
  validMin: 1, validMax: 4, implMin: 1, implMax: 1,
  read: (s, off) => { const r = gpeReadb(s, off); return { state: s, value: r.value, fx: r.fx }; },
  write: (s, off, _z, v) => gpeWriteByte(s, off, v),
};

const ACPI_EVT: RegionOps = {
  validMin: 1, validMax: 2, implMin: 2,
  read: (s, off) => pm1EvtRead(s, off),
  write: (s, off, _z, v) => pm1EvtWrite(s, off, v),
};

/** acpi_pm_cnt_read/write: 10.0 places a byte access at offset 1 in the high byte; 7.2 takes it as the whole register. */
const ACPI_CNT: RegionOps = {
  validMin: 1, validMax: 2, implMin: 2,
  read: rd((s, off) => (qemuOf(s.config).pm1CntByteOffsets ? s.acpi.pm1Cnt >> (off * 8) : s.acpi.pm1Cnt)),
  write: (s, off, _z, v) => pm1CntWrite(s, qemuOf(s.config).pm1CntByteOffsets && off === 1 ? (v << 8) | (s.acpi.pm1Cnt & 0xff) : v),
};

/** The PM timer counts the virtual clock, stopped at 0 while the machine has never run (-S). */
const ACPI_TMR: RegionOps = { validMin: 1, validMax: 4, implMin: 4, read: rd(() => 0), write: (s) => done(s) };

const ACPI_SMI: RegionOps = {
  validMin: 4, validMax: 4,
  read: rd((s, off) => (off === 0 ? s.acpi.smiEn : 0)),
  write: () => { throw new ModelLimit('writes to the ICH9 SMI registers (SMI_EN/SMI_STS)'); },
};

/** TCO registers at reset (TCO2_CNT 0x08, SW_IRQ_GEN 0x03, TCO_TMR 0x04); writes are not modelled. */
const TCO_RESET = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 3, 0, 4, 0];
const SM_TCO: RegionOps = {
  read: rd((_s, off, size) => { let v = 0; for (let i = 0; i < size; i++) v += (TCO_RESET[off + i] ?? 0) * 2 ** (8 * i); return v; }),
  write: () => { throw new ModelLimit('writes to the ICH9 TCO watchdog registers'); },
};

/** The IOAPIC's MMIO window (0xfec00000). */
const IOAPIC: RegionOps = {
  read: (s, off, size) => { const r = ioapicMemRead(s.irq.ioapic, BigInt(off), size); return { state: s, value: r.value, fx: r.fx }; },
  write: (s, off, size, v) => { const t = ioapicMmioWrite(s.irq, BigInt(off), size, BigInt(v >>> 0)); return { state: { ...s, irq: t.state as IrqState }, fx: t.fx }; },
};

/** The HPET's registers are not modelled: a guest access is refused, not answered as unassigned. */
function hpetRefused(what: 'read' | 'write', off: number): never {
  throw new ModelLimit(`qtest ${what} of the HPET's registers at 0x${(HPET_BASE + BigInt(off)).toString(16)} (the HPET is not modelled; -M ...,hpet=off removes it)`);
}
const HPET: RegionOps = { read: (_s, off) => hpetRefused('read', off), write: (_s, off) => hpetRefused('write', off) };

/** The ops of the region with this id, or undefined for a region the model only draws. */
export function regionOps(state: MachineState, id: string): RegionOps | undefined {
  const kvm = state.irq.mode === 'kvm';
  switch (id) {
    case 'pic@0x20': return kvm ? IN_KERNEL : picOps(0);
    case 'pic@0xa0': return kvm ? IN_KERNEL : picOps(1);
    case 'elcr@0x4d0': return kvm ? IN_KERNEL : elcrOps(0);
    case 'elcr@0x4d1': return kvm ? IN_KERNEL : elcrOps(1);
    case 'ioapic': return kvm ? IN_KERNEL : IOAPIC;
    case HPET_ID: return HPET;
    case 'piix3-reset-control': return resetControlOps(true);
    case 'lpc-reset-control': return resetControlOps(false);
    case 'pci-conf-idx': return PCI_CONF_IDX;
    case 'pci-conf-data': return PCI_CONF_DATA;
    case 'apm-io': return APM_IO;
    case ACPI_MEM_HOTPLUG_ID: return ACPI_MEM_HOTPLUG;
    case ACPI_GPE0_ID: return ACPI_GPE0;
    case ACPI_EVT_ID: return ACPI_EVT;
    case ACPI_CNT_ID: return ACPI_CNT;
    case ACPI_TMR_ID: return ACPI_TMR;
    case 'acpi-smi': return state.acpi.device === 'ich9' ? ACPI_SMI : undefined;
    case 'sm-tco': return state.acpi.device === 'ich9' ? SM_TCO : undefined;
    default: return undefined;
  }
}
