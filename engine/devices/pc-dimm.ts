// The pc-dimm device (hw/mem/pc-dimm.c) and the memory-device part it calls (hw/mem/memory-device.c):
// pc_dimm_pre_plug (slot) → memory_device_pre_plug (address), pc_dimm_realize (node, busy memdev),
// pc_dimm_plug → memory_device_plug (add_subregion into device-memory), pc_dimm_unplug → memory_device_unplug.
// The machine's hotplug handler (machine/pc.ts) calls them, device_set_realized (qdev.ts) runs realize.
// Every check in QEMU 7.2's order; docs/call-chains.md maps every hop. Each function emits its own hop at
// `depth` and its callees below it.

import { messagesOf, qemuOf, type QemuVersionData } from '../versions';
import type { Dimm, MachineState, MemoryBackend } from '../state';
import { E, type QemuError } from '../errors';
import { merge, nest, trace, tracepoint, type Effects, type Transition } from '../effects';
import { addSubregion, delSubregion } from '../memory/regions';
import { memTransaction } from '../memory/transaction';
import { hex } from '../units';
import { DEVICE_MEMORY_ID } from '../machine/memory-map';
import { findBackend } from './backends';
import { chooseAddr, chooseSlot } from './placement';
import type { Checked } from '../outcome';
import { stateWithMem } from '../records';

/** KVM_CAP_NR_MEMSLOTS observed on Linux 6.x hosts. */
export const KVM_NR_MEMSLOTS = 32764;
const LEGACY_ALIGN = 4096n;

/** pc-dimm properties after qdev property parsing (memdev already resolved to an existing backend id). */
export interface DimmRequest {
  readonly id?: string;
  readonly memdev?: string;
  /** -1 = unassigned (PC_DIMM_UNASSIGNED_SLOT). */
  readonly slot: bigint;
  /** 0 = auto. */
  readonly addr: bigint;
  readonly node: bigint;
}

/** Where pre_plug put the DIMM: its slot, its address and the backend that gives its size. */
export interface DimmPlacement {
  readonly slot: bigint;
  readonly addr: bigint;
  readonly backend: MemoryBackend;
}

/** pre_plug's result: where the DIMM goes, or QEMU's refusal; the trace either way. */
export type PrePlugged = Checked<DimmPlacement> & { readonly fx: Effects };

export function peripheralPath(state: MachineState, id: string | undefined): string {
  return id !== undefined ? `/machine/peripheral/${id}` : `/machine/peripheral-anon/device[${state.anonCount}]`;
}

/** pc_dimm_pre_plug: the slot (range, then the occupancy bitmap; trace point mhp_pc_dimm_assigned_slot), then memory_device_pre_plug. */
export function pc_dimm_pre_plug(state: MachineState, req: DimmRequest, depth: number): PrePlugged {
  const slot = chooseSlot(state.dimms, req.slot, state.config.ramSlots);
  if (!slot.ok) return { ok: false, error: slot.error, fx: trace('pc_dimm_pre_plug', slot.error.desc, depth) };
  const fx = merge(trace('pc_dimm_pre_plug', () => `slot ${slot.value}`, depth), tracepoint('mhp_pc_dimm_assigned_slot', () => `${slot.value}`));
  const placed = memory_device_pre_plug(state, req, slot.value, depth + 1);
  // `{ ...placed, fx }` as literals of the two shapes memory_device_pre_plug gives (the same keys in the same order).
  const all = merge(fx, placed.fx);
  return placed.ok ? { ok: true, value: placed.value, fx: all } : { ok: false, error: placed.error, fx: all };
}

/**
 * The release's message catalogue, remembered for the last release asked (messagesOf copies the catalogue for a
 * release with overrides, and counts its keys, at every call: ≈ 2% of a plug; only a refusal reads it).
 */
let lastRelease: QemuVersionData | undefined;
let lastMessages: ReturnType<typeof messagesOf> | undefined;
export function messagesFor(d: QemuVersionData): ReturnType<typeof messagesOf> {
  if (d !== lastRelease || lastMessages === undefined) {
    lastMessages = messagesOf(d);
    lastRelease = d;
  }
  return lastMessages;
}

/** memory_device_pre_plug: the backend's region gives size and alignment; the address (trace point of that name). */
export function memory_device_pre_plug(state: MachineState, req: DimmRequest, slot: bigint, depth: number): PrePlugged {
  const c = state.config;
  const backend = req.memdev === undefined ? undefined : findBackend(state, req.memdev);
  if (!backend) {
    const error = E.memdevNotSet();
    return { ok: false, error, fx: trace('memory_device_pre_plug', error.desc, depth) };
  }
  const align = c.flags.enforceAlignedDimm ? backend.align : LEGACY_ALIGN;
  const addr = chooseAddr(state.dimms, {
    deviceMemory: state.layout.deviceMemory,
    maxramSize: c.maxramSize,
    ramSize: c.ramSize,
    hint: req.addr,
    align,
    size: backend.size,
    kvmSlotFree: c.accel !== 'kvm' || state.mem.kvmSlots.length < KVM_NR_MEMSLOTS,
    messages: messagesFor(qemuOf(c)),
    sizeCheckFirst: qemuOf(c).memoryDeviceSizeCheckFirst,
  });
  if (!addr.ok) return { ok: false, error: addr.error, fx: trace('memory_device_get_free_addr', addr.error.desc, depth + 1) };
  const fx = merge(trace('memory_device_pre_plug', () => `addr ${hex(addr.value)}`, depth), tracepoint('memory_device_pre_plug', () => `id=${req.id ?? ''} addr=${hex(addr.value)}`));
  return { ok: true, value: { slot, addr: addr.value, backend }, fx };
}

/** pc_dimm_realize: the NUMA node must exist, then the memdev must not be mapped already. */
export function pc_dimm_realize(state: MachineState, req: DimmRequest, backend: MemoryBackend, depth: number): { readonly error?: QemuError; readonly fx: Effects } {
  const nodes = state.layout.numNodes;
  const refused = (error: QemuError) => ({ error, fx: merge(trace('pc_dimm_realize', undefined, depth), trace('error_setg', error.desc, depth + 1)) });
  if ((nodes > 0 && req.node >= BigInt(nodes)) || (nodes === 0 && req.node !== 0n)) return refused(E.nodeOutOfRange(req.node, nodes || 1));
  if (backend.mapped) return refused(E.memdevBusy(backend.id));
  return { fx: trace('pc_dimm_realize', () => `memdev ${backend.id} mapped`, depth) };
}

/** pc_dimm_plug → memory_device_plug. */
export function pc_dimm_plug(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const r = memory_device_plug(state, dimm, depth + 1);
  return { state: r.state, fx: merge(trace('pc_dimm_plug', undefined, depth), r.fx) };
}

/** memory_device_plug: map the backend's region inside device-memory (one memory transaction; trace point of that name). */
export function memory_device_plug(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const region = findBackend(state, dimm.memdev)!.region;
  const base = state.layout.deviceMemory!.base;
  let fx = merge(trace('memory_device_plug', undefined, depth), trace('memory_region_add_subregion', () => `${DEVICE_MEMORY_ID} + ${hex(dimm.addr - base)} ← ${region}`, depth + 1));
  const tx = memTransaction(state.mem, (r) => addSubregion(r, DEVICE_MEMORY_ID, dimm.addr - base, region, 0), state.config.accel);
  fx = merge(fx, nest(tx.fx, depth + 2));
  fx = merge(fx, tracepoint('memory_device_plug', () => `id=${dimm.id ?? ''} addr=${hex(dimm.addr)}`));
  return { state: stateWithMem(state, tx.state), fx };
}

/** pc_dimm_unplug → memory_device_unplug. */
export function pc_dimm_unplug(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const r = memory_device_unplug(state, dimm, depth + 1);
  return { state: r.state, fx: merge(trace('pc_dimm_unplug', undefined, depth), r.fx) };
}

/** memory_device_unplug: the region leaves device-memory (one memory transaction; trace point of that name). */
export function memory_device_unplug(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const region = findBackend(state, dimm.memdev)!.region;
  const tx = memTransaction(state.mem, (r) => delSubregion(r, DEVICE_MEMORY_ID, region), state.config.accel);
  const fx = merge(trace('memory_device_unplug', () => `del_subregion ${region}`, depth), merge(nest(tx.fx, depth + 1), tracepoint('memory_device_unplug', () => `id=${dimm.id ?? ''} addr=${hex(dimm.addr)}`)));
  return { state: stateWithMem(state, tx.state), fx };
}
