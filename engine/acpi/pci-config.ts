// PCI configuration mechanism #1 (0xcf8 CONFIG_ADDRESS / 0xcfc CONFIG_DATA, hw/pci/pci_host.c) for the
// functions on bus 0 of a `-nodefaults` machine, with reset images read from QEMU 7.2.22 and the default
// write masks (pci_init_wmask: command, cache line, interrupt line, and the whole device-specific area).
// Side effects modelled: PIIX4 PM base/enable (0x40, 0x80) and ICH9 PMBASE/ACPI_CTRL (0x40, 0x44, with the
// SCI IRQ selection). Writes elsewhere are stored but change nothing else (PAM, SMRAM, PIRQ routing, BARs).

import { hasSmmRanges } from '../machine/smm';
import type { MachineConfig } from '../config/types';
import type { MachineState } from '../state';
import { done, merge, trace, type Transition } from '../effects';
import { ich9SetSci } from './gpe';
import { setBusMaster, setPam, setPmBase } from '../machine/memory-map';
import type { AcpiState, PciFunction } from './types';
import { ModelLimit } from '../errors';
import { setGsi } from '../irq/gsi';
import { qemuOf } from '../versions';
import { acpiWithPci, stateWithAcpi, stateWithMem } from '../records';

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

/** The write mask of a 32-bit BAR of `size` bytes at `off` (pci_register_bar: ~(size - 1)). */
function bar(off: number, size: number): Record<number, number> {
  const m = (~(size - 1)) >>> 0;
  return { [off]: m & 0xff, [off + 1]: (m >>> 8) & 0xff, [off + 2]: (m >>> 16) & 0xff, [off + 3]: (m >>> 24) & 0xff };
}

/**
 * Configuration registers whose writes make QEMU do what the model does not: [first, last, always]. `always`:
 * refused even when the bytes do not change (the device's hook fires anyway, with visible effects: PIRQ routing
 * re-sets the i8259/IOAPIC inputs); otherwise only a change is refused.
 */
const UNMODELLED_CONFIG: Readonly<Record<string, ReadonlyArray<readonly [number, number, boolean, string]>>> = {
  i440FX: [[0x72, 0x72, false, 'SMRAM (i440fx_update_memory_mappings)']],
  PIIX3: [[0x60, 0x63, true, 'PIRQ routing (piix3_write_config)']],
  PIIX4_PM: [[0x90, 0x93, false, 'the SMBus base (smbus_io_space_update)'], [0xd2, 0xd2, false, 'the SMBus enable (smbus_io_space_update)']],
  mch: [
    [0x50, 0x51, true, 'the extended TSEG size (mch_update_ext_tseg_mbytes)'], [0x60, 0x67, false, 'PCIEXBAR (mch_update_pciexbar)'],
    [0x9c, 0x9e, true, 'SMRAM/ESMRAMC/SMBASE (mch_update_smram)'],
  ],
  'ICH9-LPC': [[0x60, 0x63, true, 'PIRQ routing (ich9_lpc_config_write)'], [0x68, 0x6b, true, 'PIRQ routing (ich9_lpc_config_write)'], [0xf0, 0xf3, false, 'RCBA (ich9_lpc_rcba_update)']],
};
/** Functions with BARs: enabling their I/O or memory decoding (command bits 0-1) maps them (pci_update_mappings). */
const WITH_BARS = new Set(['piix3-ide', 'ich9-ahci', 'ICH9-SMB']);

function fn(devfn: number, name: string, image: string, patch: Record<number, number> = {}, wpatch: Record<number, number> = {}): PciFunction {
  const config = bytes(image);
  for (const [k, v] of Object.entries(patch)) config[Number(k)] = v;
  const wmask = defaultWmask();
  for (const [k, v] of Object.entries(wpatch)) wmask[Number(k)] = v;
  return { devfn, name, config, wmask };
}

/**
 * The PCI functions on bus 0 (`-nodefaults`). pc without ACPI has no PIIX4_PM. Made once per kind of machine (they
 * depend on nothing else) and shared by every machine of that kind: immutable, a write copies what it changes.
 */
export function initialPciFunctions(config: MachineConfig): readonly PciFunction[] {
  const key = config.type === 'pc' ? `pc ${config.acpi} ${config.accel === 'kvm'}` : `q35 ${hasSmmRanges(config)}`;
  let list = initialByKind.get(key);
  if (list === undefined) initialByKind.set(key, (list = makeInitialPciFunctions(config)));
  return list;
}

const initialByKind = new Map<string, readonly PciFunction[]>();

function makeInitialPciFunctions(config: MachineConfig): PciFunction[] {
  if (config.type === 'pc') {
    // piix3-ide's bus-master DMA BAR 4 is a 16-byte I/O BAR (its write mask, pci_register_bar).
    const list = [fn(0, 'i440FX', IMAGES.I440FX), fn(1 << 3, 'PIIX3', IMAGES.PIIX3), fn((1 << 3) | 1, 'piix3-ide', IMAGES.PIIX3_IDE, {}, { ...bar(0x20, 16) })];
    // Without SMM (KVM here has no KVM_CAP_X86_SMM) PIIX4_PM marks SMM as initialised: config 0x5b = 0x02.
    if (config.acpi) list.push(fn(PIIX4_PM_DEVFN, 'PIIX4_PM', IMAGES.PIIX4_PM, config.accel === 'kvm' ? { 0x5b: 0x02 } : {}));
    return list;
  }
  return [
    // Without SMM ranges (10.0 under KVM here) mch_reset leaves SMRAM, ESMRAMC and the TSEG size query at 0.
    fn(0, 'mch', IMAGES.MCH, hasSmmRanges(config) ? {} : { 0x50: 0, 0x51: 0, 0x9d: 0, 0x9e: 0 }),
    // ich9_lpc_realize sets the PMBASE write mask, then (sic) overwrites byte 0x40 with the ACPI_CTRL mask.
    fn(ICH9_LPC_DEVFN, 'ICH9-LPC', IMAGES.ICH9_LPC, {}, { 0x40: 0x87, 0x41: 0xff, 0x42: 0x00, 0x43: 0x00 }),
    // ich9-ahci: BAR 4 (32-byte I/O), ABAR 5 (4 KiB memory); its MSI capability at 0x80 (only the enable bit and
    // the dword-aligned address are writable) and its read-only SATA capability at 0xa8.
    fn((0x1f << 3) | 2, 'ich9-ahci', IMAGES.ICH9_AHCI, {}, {
      ...bar(0x20, 32), ...bar(0x24, 4096), 0x80: 0, 0x81: 0, 0x82: 0x01, 0x83: 0, 0x84: 0xfc,
      0xa8: 0, 0xa9: 0, 0xaa: 0, 0xab: 0, 0xac: 0, 0xad: 0, 0xae: 0, 0xaf: 0,
    }),
    // ICH9-SMB: BAR 4 (64-byte I/O); HOSTC (0x40) without its I2C_EN bit... as measured: bit 3 is read-only.
    fn((0x1f << 3) | 3, 'ICH9-SMB', IMAGES.ICH9_SMB, {}, { ...bar(0x20, 64), 0x40: 0xf7 }),
  ];
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * The configuration bytes system_reset puts back, per function (measured on 7.2.22 and 10.0.2, the same):
 * pci_do_device_reset's command, status, cache line, interrupt line and BARs, then the device's own reset
 * (piix3_reset, piix4_pm_reset, ich9_lpc_reset, mch_reset, msi_reset). Every other byte keeps what the guest
 * wrote: the i440FX/MCH PAM registers, scratch registers, ICH9-SMB's HOSTC.
 */
const RESET_BYTES: Readonly<Record<string, readonly number[]>> = {
  i440FX: [],
  PIIX3: [0x4c, 0x4e, 0x4f, ...range(0x60, 0x63), 0x69, 0x70, ...range(0x76, 0x79), 0x80, 0x82, 0xa0, ...range(0xa2, 0xa8), 0xaa, 0xab, 0xac, 0xae],
  'piix3-ide': range(0x20, 0x23),
  PIIX4_PM: [0x40, ...range(0x58, 0x5b), 0x80],
  mch: [0x50, 0x51, ...range(0x60, 0x67), 0x9c, 0x9d, 0x9e],
  'ICH9-LPC': [...range(0x40, 0x44), ...range(0x60, 0x63), ...range(0x68, 0x6b), ...range(0xf0, 0xf3)],
  'ich9-ahci': [...range(0x20, 0x27), 0x82, ...range(0x84, 0x8d)],
  'ICH9-SMB': range(0x20, 0x23),
};
const RESET_COMMON = [0x04, 0x05, 0x06, 0x07, 0x0c, 0x3c];

/** A function after system_reset: the reset image's bytes where QEMU resets them, the guest's elsewhere. */
export function pciResetFunction(image: PciFunction, prev: PciFunction | undefined): PciFunction {
  if (!prev) return image;
  const config = [...prev.config];
  for (const i of [...RESET_COMMON, ...(RESET_BYTES[image.name] ?? range(0, 255))]) config[i] = image.config[i];
  return { ...image, config };
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
  for (const [first, last, always, what] of UNMODELLED_CONFIG[f.name] ?? []) {
    if (!overlaps(off, n, first, last - first + 1)) continue;
    const changed = config.slice(first, last + 1).some((b, i) => b !== f.config[first + i]);
    if (always || changed) throw new ModelLimit(`a PCI configuration write to ${f.name} ${what} (0x${off.toString(16)}, ${len} bytes, 0x${(val >>> 0).toString(16)})`);
  }
  if (WITH_BARS.has(f.name) && overlaps(off, n, 0x04, 1) && (config[0x04] & 3) !== (f.config[0x04] & 3)) {
    throw new ModelLimit(`a PCI configuration write to ${f.name}'s command register turning its BARs' decoding on or off (pci_update_mappings)`);
  }
  const commandHook = qemuOf(state.config).pciCommandHookCoversWord ? overlaps(off, n, 0x04, 2) : overlaps(off, n, 0x04, 1);
  const intxToggled = commandHook && (config[0x05] & 0x04) !== (f.config[0x05] & 0x04);
  const pci = state.acpi.pci.map((p) => (p === f ? { ...f, config } : p));
  let next: MachineState = stateWithAcpi(state, acpiWithPci(state.acpi, pci));
  let fx = trace('pci_host_config_write_common', () => `${f.name} 0x${off.toString(16)} = 0x${(val >>> 0).toString(16)} (${len})`);
  if (commandHook) {
    const m = setBusMaster(next.mem, f.name, (config[0x04] & 0x04) !== 0, next.config.accel);
    if (m.state !== next.mem) {
      next = { ...next, mem: m.state };
      fx = merge(fx, merge(trace('pci_default_write_config', `${f.name} bus master ${config[0x04] & 4 ? 'on' : 'off'}`, 1), m.fx));
    }
  }
  if (intxToggled && state.acpi.device === 'ich9') {
    const t = ich9UpdateIrqDisabled(next, f.devfn);
    next = t.state;
    fx = merge(fx, t.fx);
  }
  // PAM: i440FX 0x59-0x5f (i440fx_update_memory_mappings), MCH 0x90-0x96 (mch_update_pam).
  const pamAt = f.name === 'i440FX' ? 0x59 : f.name === 'mch' ? 0x90 : undefined;
  if (pamAt !== undefined && overlaps(off, n, pamAt, 7)) {
    const m = setPam(next.mem, config.slice(pamAt, pamAt + 7), next.config.accel);
    return done({ ...next, mem: m.state }, merge(fx, merge(trace(f.name === 'mch' ? 'mch_update_pam' : 'i440fx_update_memory_mappings', 'PAM', 1), m.fx)));
  }
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

/** ich9_cc_init/ich9_cc_update: the PIRQ (0-7 = A-H) each INTx pin of a slot is wired to. */
function ich9Pirq(slot: number, intx: number): number {
  if (slot === 30) return intx + 4; // the DMI-to-PCI bridge: INT[A-D] → PIRQ[E-H]
  if (slot >= 25) return intx; // D25IR..D31IR at their default 0x3210: INT[A-D] → PIRQ[A-D]
  return ((slot + intx) % 4) + 4;
}

/**
 * pci_update_irq_disabled after INTX_DISABLE changed: each of the 4 INTx pins goes through ich9_lpc_map_irq to
 * ich9_lpc_set_irq, which sets the PIRQ's IOAPIC input (GSI 16 + PIRQ, or'ed with the SCI there) and then the
 * PIRQ's i8259 input (its routing register; 0x80, disabled, still names IRQ 0). No device asserts INTx here.
 * PIIX3 drops them all (its routing is disabled and routing writes are refused), so only ICH9 gets here.
 */
function ich9UpdateIrqDisabled(state: MachineState, devfn: number): Transition<MachineState> {
  let t: Transition<MachineState> = done(state, trace('pci_update_irq_disabled', `devfn 0x${devfn.toString(16)}: 4 INTx pins re-sent`, 1));
  for (let intx = 0; intx < 4; intx++) {
    const pirq = ich9Pirq(devfn >> 3, intx);
    const gsi = 16 + pirq;
    const a = t.state.acpi;
    const apic = setGsi(t.state, gsi, gsi === a.sciGsi ? a.sciLevel : 0, 2);
    const lpc = findFn(apic.state.acpi, ICH9_LPC_DEVFN)!;
    const route = lpc.config[pirq < 4 ? 0x60 + pirq : 0x68 + pirq - 4];
    const picIrq = route & 0x0f;
    const picLevel = picIrq === apic.state.acpi.sciGsi ? apic.state.acpi.sciLevel : 0;
    const pic = setGsi(apic.state, picIrq, picLevel, 2);
    t = { state: pic.state, fx: merge(t.fx, merge(apic.fx, pic.fx)) };
  }
  return t;
}

/** ich9_lpc_pmbase_sci_update: remap the PM block, then re-route the SCI (moving a raised SCI). */
function ich9PmbaseSciUpdate(state: MachineState, fx0: ReturnType<typeof trace>): Transition<MachineState> {
  const base = ich9PmBase(state.acpi);
  const m = setPmBase(state.mem, BigInt(base), base !== 0, state.config.accel);
  state = stateWithMem(state, m.state);
  let fx = merge(fx0, merge(trace('ich9_lpc_pmbase_sci_update', () => `ich9-pm ${base ? `at 0x${base.toString(16)}` : 'disabled'}`, 1), m.fx));
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
