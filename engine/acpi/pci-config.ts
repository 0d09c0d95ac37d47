// PCI configuration mechanism #1 (0xcf8 CONFIG_ADDRESS / 0xcfc CONFIG_DATA, hw/pci/pci_host.c) for the
// functions on bus 0 of a `-nodefaults` machine, with reset images read from QEMU 7.2.22 and the default
// write masks (pci_init_wmask: command, cache line, interrupt line, and the whole device-specific area).
// Side effects modelled: PIIX4 PM base/enable (0x40, 0x80) and ICH9 PMBASE/ACPI_CTRL (0x40, 0x44, with the
// SCI IRQ selection). Writes elsewhere are stored but change nothing else (PAM, SMRAM, PIRQ routing, BARs).

import type { MachineConfig } from '../config/types';
import type { MachineState } from '../state';
import { done, merge, trace, type Transition } from '../effects';
import { ich9SetSci } from './gpe';
import { setPmBase } from '../machine/memory-map';
import type { AcpiState, PciFunction } from './types';

/** Config space images at reset (TCG), 256 bytes each, as QEMU 7.2.22 answers them. */
const IMAGES: Readonly<Record<string, string>> = {
  I440FX:
    '8680371200000000020000060000000000000000000000000000000000000000000000000000000000000000f41a001100000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000200000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  PIIX3:
    '8680007000000002000001060000800000000000000000000000000000000000000000000000000000000000f41a001100000000000000000000000000000000' +
    '0000000000000000000000004d00030000000000000000000000000000000000808080800000000000020000000000008000000000000c0c0200000000000000' +
    '000000000000000000000000000000000000000000000000000000000000000008000000000000000f0000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  PIIX3_IDE:
    '8680107000008002008001010000000000000000000000000000000000000000010000000000000000000000f41a001100000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  PIIX4_PM:
    '8680137100008002030080060000000000000000000000000000000000000000000000000000000000000000f41a001100000000000000000000000000010000' +
    '01000000000000000000000000000000000000000000000000000000000000100000006000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000001b100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000009000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  MCH:
    '8680c02900000000000000060000000000000000000000000000000000000000000000000000000000000000f41a001100000000000000000000000000000000' +
    '0000000000000000000000000000000010000000000000000000000000000000000000b000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000238000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  ICH9_LPC:
    '8680182900000000020001060000800000000000000000000000000000000000000000000000000000000000f41a001100000000000000000000000000000000' +
    '01000000000000000000000000000000000000000000000000000000000000008080808000000000808080800000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  ICH9_AHCI:
    '8680222900001000020106010000800000000000000000000000000000000000010000000000000000000000f41a001100000000800000000000000000010000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '05a88000000000000000000000000000400000000000000000000000000000000000000000000000120010004800000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  ICH9_SMB:
    '86803029000000000200050c0000800000000000000000000000000000000000010000000000000000000000f41a001100000000000000000000000000010000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',};

export const PIIX4_PM_DEVFN = (1 << 3) | 3;
export const ICH9_LPC_DEVFN = (0x1f << 3) | 0;
const ICH9_LPC_PMBASE = 0x40;
const ICH9_LPC_ACPI_CTRL = 0x44;
const ICH9_ACPI_EN = 0x80;
const ICH9_PMBASE_MASK = 0xff80;
const PIIX4_PMBASE_MASK = 0xffc0;

function bytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function defaultWmask(): number[] {
  const w: number[] = Array.from({ length: 256 }, (_, i) => (i >= 0x40 ? 0xff : 0));
  w[0x04] = 0x07; // IO | MEMORY | MASTER
  w[0x05] = 0x05; // SERR | INTX_DISABLE
  w[0x0c] = 0xff; // cache line size
  w[0x3c] = 0xff; // interrupt line
  return w;
}

function fn(devfn: number, name: string, image: string, patch: Record<number, number> = {}, wpatch: Record<number, number> = {}): PciFunction {
  const config = bytes(image);
  for (const [k, v] of Object.entries(patch)) config[Number(k)] = v;
  const wmask = defaultWmask();
  for (const [k, v] of Object.entries(wpatch)) wmask[Number(k)] = v;
  return { devfn, name, config, wmask };
}

/** The PCI functions on bus 0 (`-nodefaults`). pc without ACPI has no PIIX4_PM. */
export function initialPciFunctions(config: MachineConfig): PciFunction[] {
  if (config.type === 'pc') {
    const list = [fn(0, 'i440FX', IMAGES.I440FX), fn(1 << 3, 'PIIX3', IMAGES.PIIX3), fn((1 << 3) | 1, 'piix3-ide', IMAGES.PIIX3_IDE)];
    // Without SMM (KVM here has no KVM_CAP_X86_SMM) PIIX4_PM marks SMM as initialised: config 0x5b = 0x02.
    if (config.acpi) list.push(fn(PIIX4_PM_DEVFN, 'PIIX4_PM', IMAGES.PIIX4_PM, config.accel === 'kvm' ? { 0x5b: 0x02 } : {}));
    return list;
  }
  return [
    fn(0, 'mch', IMAGES.MCH),
    // ich9_lpc_realize sets the PMBASE write mask, then (sic) overwrites byte 0x40 with the ACPI_CTRL mask.
    fn(ICH9_LPC_DEVFN, 'ICH9-LPC', IMAGES.ICH9_LPC, {}, { 0x40: 0x87, 0x41: 0xff, 0x42: 0x00, 0x43: 0x00 }),
    fn((0x1f << 3) | 2, 'ich9-ahci', IMAGES.ICH9_AHCI),
    fn((0x1f << 3) | 3, 'ICH9-SMB', IMAGES.ICH9_SMB),
  ];
}

function findFn(acpi: AcpiState, devfn: number): PciFunction | undefined {
  return acpi.pci.find((f) => f.devfn === devfn);
}

function le(config: readonly number[], off: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v += (config[off + i] ?? 0) * 2 ** (8 * i);
  return v;
}

/** PIIX4 PM I/O block: base from config 0x40 (& 0xffc0), mapped when config 0x80 bit 0 is set. */
export function piix4PmBase(acpi: AcpiState): { readonly base: number; readonly enabled: boolean } | undefined {
  const f = findFn(acpi, PIIX4_PM_DEVFN);
  if (acpi.device !== 'piix4' || !f) return undefined;
  return { base: le(f.config, 0x40, 4) & PIIX4_PMBASE_MASK, enabled: (f.config[0x80] & 1) === 1 };
}

/** ICH9 PM I/O base: PMBASE & 0xff80 when ACPI_CTRL.ACPI_EN, else 0 (0 = not mapped). */
export function ich9PmBase(acpi: AcpiState): number {
  const f = findFn(acpi, ICH9_LPC_DEVFN);
  if (acpi.device !== 'ich9' || !f) return 0;
  if (!(f.config[ICH9_LPC_ACPI_CTRL] & ICH9_ACPI_EN)) return 0;
  return le(f.config, ICH9_LPC_PMBASE, 4) & ICH9_PMBASE_MASK;
}

/** Where the PM block (acpi-evt at +0) is decoded, if anywhere. */
export function pmBlockBase(acpi: AcpiState): number | undefined {
  if (acpi.device === 'piix4') {
    const p = piix4PmBase(acpi);
    return p?.enabled ? p.base : undefined;
  }
  if (acpi.device === 'ich9') {
    const b = ich9PmBase(acpi);
    return b !== 0 ? b : undefined;
  }
  return undefined;
}

/** ICH9 ACPI_CTRL SCI_IRQ_SEL → GSI, or -1 for the reserved encodings. */
export function ich9SciIrq(acpiCtrl: number): number {
  switch (acpiCtrl & 7) {
    case 0: return 9;
    case 1: return 10;
    case 2: return 11;
    case 4: return 20;
    case 5: return 21;
    default: return -1;
  }
}

/** pci_data_read: a function's config bytes (little-endian), all-ones when nothing answers. */
export function pciDataRead(acpi: AcpiState, addr: number, len: number): number {
  const bus = (addr >>> 16) & 0xff;
  const devfn = (addr >>> 8) & 0xff;
  const off = addr & 0xff;
  const f = bus === 0 ? findFn(acpi, devfn) : undefined;
  if (!f) return 0xffffffff;
  return le(f.config, off, Math.min(len, 256 - off));
}

function overlaps(addr: number, len: number, start: number, n: number): boolean {
  return addr < start + n && start < addr + len;
}

/** pci_data_write → the function's config_write (pci_default_write_config + the device's hooks). */
export function pciDataWrite(state: MachineState, addr: number, val: number, len: number): Transition<MachineState> {
  const bus = (addr >>> 16) & 0xff;
  const devfn = (addr >>> 8) & 0xff;
  const off = addr & 0xff;
  const f = bus === 0 ? findFn(state.acpi, devfn) : undefined;
  if (!f) return done(state);
  const n = Math.min(len, 256 - off);
  const config = [...f.config];
  for (let i = 0; i < n; i++) {
    const b = Math.floor(val / 2 ** (8 * i)) & 0xff;
    const m = f.wmask[off + i];
    config[off + i] = (config[off + i] & ~m & 0xff) | (b & m);
  }
  const pci = state.acpi.pci.map((p) => (p === f ? { ...f, config } : p));
  const next: MachineState = { ...state, acpi: { ...state.acpi, pci } };
  const fx = trace('pci_host_config_write_common', `${f.name} 0x${off.toString(16)} = 0x${(val >>> 0).toString(16)} (${len})`);
  if (f.devfn === PIIX4_PM_DEVFN && state.acpi.device === 'piix4' && (overlaps(off, n, 0x80, 1) || overlaps(off, n, 0x40, 4))) {
    const pm = piix4PmBase(next.acpi)!;
    const m = setPmBase(next.mem, BigInt(pm.base), pm.enabled, next.config.accel);
    const note = `piix4-pm at 0x${pm.base.toString(16)} ${pm.enabled ? 'enabled' : 'disabled'}`;
    return done({ ...next, mem: m.state }, merge(fx, merge(trace('pm_io_space_update', note, 1), m.fx)));
  }
  if (f.devfn === ICH9_LPC_DEVFN && state.acpi.device === 'ich9' && (overlaps(off, n, ICH9_LPC_PMBASE, 4) || overlaps(off, n, ICH9_LPC_ACPI_CTRL, 1))) {
    return ich9PmbaseSciUpdate(next, fx);
  }
  return done(next, fx);
}

/** ich9_lpc_pmbase_sci_update: remap the PM block, then re-route the SCI (moving a raised SCI). */
function ich9PmbaseSciUpdate(state: MachineState, fx0: ReturnType<typeof trace>): Transition<MachineState> {
  const base = ich9PmBase(state.acpi);
  const m = setPmBase(state.mem, BigInt(base), base !== 0, state.config.accel);
  state = { ...state, mem: m.state };
  let fx = merge(fx0, merge(trace('ich9_lpc_pmbase_sci_update', `ich9-pm ${base ? `at 0x${base.toString(16)}` : 'disabled'}`, 1), m.fx));
  const lpc = findFn(state.acpi, ICH9_LPC_DEVFN)!;
  const gsi = ich9SciIrq(lpc.config[ICH9_LPC_ACPI_CTRL]);
  if (gsi === -1) return done(state, merge(fx, trace('ich9_lpc_sci_irq', 'reserved SCI IRQ SEL: kept', 2)));
  if (state.acpi.sciLevel && gsi !== state.acpi.sciGsi) {
    const low = ich9SetSci(state, 0, 2);
    const moved: MachineState = { ...low.state, acpi: { ...low.state.acpi, sciGsi: gsi } };
    const high = ich9SetSci(moved, 1, 2);
    return { state: high.state, fx: merge(fx, merge(low.fx, high.fx)) };
  }
  return done({ ...state, acpi: { ...state.acpi, sciGsi: gsi } }, fx);
}
