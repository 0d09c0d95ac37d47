// Derived views of a machine: what QEMU's query commands and `info` texts show. Pure functions of state.

import type { Dimm, MachineState } from './state';
import type { FlatRange } from './memory/types';
import { committedFlatView } from './memory/transaction';

/** The exact range of a JSON number, made once (not two BigInts per integer printed). */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** QMP integers: plain numbers while exact, bigint beyond 2^53 (printed exactly by the JSON writer). */
export function qint(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

/**
 * The flat view an address space shows (by QEMU's AS name, default "memory"): the one its last memory
 * transaction committed. Every commit keeps the views current by re-rendering only the ranges it changed, so
 * asking costs nothing; renderFlatView(state.mem.regions, root) renders the same view from scratch (linear in the
 * regions). Empty for an unknown AS.
 */
export function flatView(state: MachineState, asName = 'memory'): readonly FlatRange[] {
  return committedFlatView(state.mem, asName);
}

/** Realized DIMMs sorted by address, as qmp_query_memory_devices lists them. */
export function dimmsByAddr(state: MachineState): readonly Dimm[] {
  return [...state.dimms].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

export function queryMemoryDevices(state: MachineState): unknown[] {
  return dimmsByAddr(state).map((d) => {
    const data: Record<string, unknown> = {
      memdev: `/objects/${d.memdev}`,
      hotplugged: d.hotplugged,
      addr: qint(d.addr),
      hotpluggable: true,
      size: qint(d.size),
      slot: qint(d.slot),
      node: qint(d.node),
    };
    if (d.id !== undefined) data.id = d.id;
    return { type: 'dimm', data };
  });
}

export function pluggedMemory(state: MachineState): bigint {
  return state.dimms.reduce((s, d) => s + d.size, 0n);
}

export function queryMemorySizeSummary(state: MachineState): Record<string, unknown> {
  return { 'base-memory': qint(state.config.ramSize), 'plugged-memory': qint(pluggedMemory(state)) };
}

/** `qom-get /machine memory`: slots and max-size only when slots were configured. */
export function machineMemoryProperty(state: MachineState): Record<string, unknown> {
  const c = state.config;
  const out: Record<string, unknown> = { size: qint(c.ramSize) };
  if (c.ramSlots > 0n) {
    out['slots'] = qint(c.ramSlots);
    out['max-size'] = qint(c.maxramSize);
  }
  return out;
}

export function deviceMemoryRegionSize(state: MachineState): bigint {
  return state.layout.deviceMemory?.size ?? 0n;
}

const lines = (xs: string[]) => xs.map((l) => l + '\r\n').join('');

export function infoMemoryDevices(state: MachineState): string {
  return lines(
    dimmsByAddr(state).flatMap((d) => [
      `Memory device [dimm]: "${d.id ?? ''}"`,
      `  addr: 0x${d.addr.toString(16)}`,
      `  slot: ${d.slot}`,
      `  node: ${d.node}`,
      `  size: ${d.size}`,
      `  memdev: /objects/${d.memdev}`,
      `  hotplugged: ${d.hotplugged}`,
      `  hotpluggable: true`,
    ]),
  );
}

export function infoNuma(state: MachineState): string {
  const n = state.layout.numNodes;
  const out = [`${n} nodes`];
  for (let i = 0; i < n; i++) {
    const plugged = state.dimms.filter((d) => d.node === BigInt(i)).reduce((s, d) => s + d.size, 0n);
    const boot = state.layout.nodeMem[i] ?? 0n;
    // The vCPUs on this node (cpus=, else the board's default: socket % nodes), by CPU index.
    const cpus = (state.layout.cpuNodes ?? [state.layout.cpuNode ?? 0]).flatMap((node, cpu) => (node === i ? [` ${cpu}`] : []));
    out.push(`node ${i} cpus:${cpus.join('')}`);
    out.push(`node ${i} size: ${(boot + plugged) >> 20n} MB`);
    out.push(`node ${i} plugged: ${plugged >> 20n} MB`);
  }
  return lines(out);
}
