// Shared helpers for the memory tests: hand-built machine configs (7.2 machine-class flags) and fixtures.
import { readFileSync } from 'node:fs';
import type { BackendOption, MachineConfig, NumaNodeOption } from '../engine/config/types';
import { computeLayout, type Layout } from '../engine/machine/layout';
import { buildMemory } from '../engine/machine/memory-map';
import type { MemoryState } from '../engine/memory/types';
import type { Transition } from '../engine/effects';
import { GiB, MiB } from '../engine/units';
import { qemuVersionData } from '../engine/versions';
import { repoPath } from '../paths';

export interface MachineOpts {
  readonly ram: bigint;
  readonly slots?: bigint;
  readonly maxmem?: bigint;
  readonly accel?: 'tcg' | 'kvm';
  readonly memoryHotplugSupport?: boolean;
  readonly backends?: readonly { id: string; size: bigint }[];
  readonly numa?: readonly string[];
}

export function config(type: 'pc' | 'q35', o: MachineOpts): MachineConfig {
  const backends: BackendOption[] = (o.backends ?? []).map((b) => ({ type: 'memory-backend-ram', id: b.id, size: b.size, text: `memory-backend-ram,id=${b.id}` }));
  const numa: NumaNodeOption[] = (o.numa ?? []).map((memdev, nodeid) => ({ nodeid, memdev, text: `node,memdev=${memdev}` }));
  return {
    qemu: qemuVersionData('7.2'),
    type,
    machineName: type === 'pc' ? 'pc-i440fx-7.2' : 'pc-q35-7.2',
    flags: {
      hasReservedMemory: true, enforceAlignedDimm: true, brokenReservedEnd: false, gigabyteAlign: true,
      enforceAmd1TbHole: true, autoEnableNumaWithMemhp: true, autoEnableNumaWithMemdev: true, canonicalPathRamblockId: false, fwCfgDma: true, ich9AcpiPciHotplug: true, biosSize: 0x40000n,
      ioapicVersion: 0x20,
    },
    ramSize: o.ram,
    ramSlots: o.slots ?? 0n,
    maxramSize: o.maxmem ?? o.ram,
    acpi: true,
    memoryHotplugSupport: o.memoryHotplugSupport ?? true,
    accel: o.accel ?? 'tcg',
    backends,
    numa,
    dimms: [],
    passiveDevices: [],
    commandLine: '',
  };
}

export function layoutOf(c: MachineConfig): Layout {
  const r = computeLayout(c);
  if (!r.ok) throw new Error(`layout refused: ${JSON.stringify(r.error)}`);
  return r.value;
}

export function boot(type: 'pc' | 'q35', o: MachineOpts): Transition<MemoryState> {
  const c = config(type, o);
  return buildMemory(c, layoutOf(c));
}

export function fixture(name: string): string {
  return readFileSync(repoPath('test', 'fixtures', 'mtree', name), 'utf8').replace(/\n/g, '\r\n');
}

export { GiB, MiB };
