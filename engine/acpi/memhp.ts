// The ACPI memory-hotplug register block at 0x0a00 (hw/acpi/memory_hotplug.c): slot selector, the selected
// DIMM's address/size/node, sticky flags, _OST reporting and the guest's eject. Also the plug, unplug-request
// and unplug callbacks the board's ACPI device calls (acpi_memory_plug_cb & co; piix4.ts, ich9.ts), which
// raise their event through that device (acpi_send_event, acpi-interface.ts).

import type { Dimm, MachineState } from '../state';
import { E } from '../errors';
import { NO_EFFECTS, done, event, merge, trace, tracepoint, type Effects, type Transition } from '../effects';
import { ACPI_MEMORY_HOTPLUG_STATUS } from './gpe';
import { acpi_send_event, type AcpiHotplugDevice } from './acpi-interface';
import { object_unparent } from '../qom/tree';
import type { MemHotplugState, MemSlotStatus } from './types';
import { acpiWithMemhp, stateWithAcpi } from '../records';


export const EMPTY_SLOT: MemSlotStatus = Object.freeze({ enabled: false, inserting: false, removing: false, ostEvent: 0, ostStatus: 0 });

/**
 * A slot record with some fields changed: a literal of one of two shapes (with the DIMM link or without), the keys
 * in the order every record has them. Not a spread: spreading records of several shapes made V8 copy them on its
 * slow path (≈ 1 µs each).
 */
function slotWith(s: MemSlotStatus, c: Partial<MemSlotStatus>): MemSlotStatus {
  const enabled = c.enabled ?? s.enabled;
  const inserting = c.inserting ?? s.inserting;
  const removing = c.removing ?? s.removing;
  const ostEvent = c.ostEvent ?? s.ostEvent;
  const ostStatus = c.ostStatus ?? s.ostStatus;
  if ('dimm' in c || 'dimm' in s) return { enabled, inserting, removing, ostEvent, ostStatus, dimm: 'dimm' in c ? c.dimm : s.dimm };
  return { enabled, inserting, removing, ostEvent, ostStatus };
}

function withSlot(state: MachineState, slot: number, f: (s: MemSlotStatus) => MemSlotStatus): MachineState {
  const memhp = state.acpi.memhp!;
  const slots = memhp.slots.slice();
  slots[slot] = f(slots[slot]);
  return stateWithAcpi(state, acpiWithMemhp(state.acpi, { selector: memhp.selector, slots }));
}

/** The pc-dimm currently attached to a slot (`mdev->dimm`). */
export function slotDimm(state: MachineState, slot: number): Dimm | undefined {
  const s = state.acpi.memhp?.slots[slot];
  if (!s?.dimm) return undefined;
  const want = BigInt(slot);
  return state.dimms.find((d) => d.path === s.dimm) ?? state.dimms.find((d) => d.slot === want);
}

/**
 * acpi_memory_slot_status: the slot's state, or the error QEMU reports for a slot beyond dev_count
 * (only reachable when the block is absent or the slot is out of range).
 */
function slotIndex(state: MachineState, slot: bigint): { ok: true; index: number } | { ok: false; why: string } {
  const memhp = state.acpi.memhp;
  const n = BigInt(memhp?.slots.length ?? 0);
  if (!memhp || slot < 0n || slot >= n) {
    const d = state.dimms.find((x) => x.slot === slot);
    return { ok: false, why: E.invalidMemorySlot(d?.path ?? '?', slot).desc };
  }
  return { ok: true, index: Number(slot) };
}

/** acpi_memory_plug_cb: attach, enable; a hot-plugged DIMM also gets the insert flag and GPE 0x08 (from `dev`). */
export function acpi_memory_plug_cb(state: MachineState, dev: Pick<AcpiHotplugDevice, 'send_event'>, slot: bigint, hotplugged: boolean): Transition<MachineState> {
  const idx = slotIndex(state, slot);
  const fx0 = trace('acpi_memory_plug_cb', () => `slot ${slot}${hotplugged ? '' : ' (cold plug: no event)'}`);
  if (!idx.ok) return done(state, merge(fx0, trace('error', idx.why, 1)));
  // Slots of realized DIMMs are unique; the one just plugged is the last: look from the end.
  let dimm: Dimm | undefined;
  for (let i = state.dimms.length - 1; i >= 0 && !dimm; i--) if (state.dimms[i].slot === slot) dimm = state.dimms[i];
  const next = withSlot(state, idx.index, (s) => slotWith(s, { dimm: dimm?.path, enabled: true, inserting: hotplugged ? true : s.inserting }));
  if (!hotplugged) return done(next, fx0);
  const ev = acpi_send_event(next, dev, ACPI_MEMORY_HOTPLUG_STATUS, 1);
  return { state: ev.state, fx: merge(fx0, ev.fx) };
}

/** acpi_memory_unplug_request_cb: removing flag and GPE 0x08 from `dev` (again on every device_del). */
export function acpi_memory_unplug_request_cb(state: MachineState, dev: Pick<AcpiHotplugDevice, 'send_event'>, slot: bigint): Transition<MachineState> {
  const idx = slotIndex(state, slot);
  const fx0 = trace('acpi_memory_unplug_request_cb', () => `slot ${slot}`);
  if (!idx.ok) return done(state, merge(fx0, trace('error', idx.why, 1)));
  const next = withSlot(state, idx.index, (s) => slotWith(s, { removing: true }));
  const ev = acpi_send_event(next, dev, ACPI_MEMORY_HOTPLUG_STATUS, 1);
  return { state: ev.state, fx: merge(fx0, ev.fx) };
}

/** acpi_memory_unplug_cb: only `enabled` and the DIMM link are cleared; inserting/removing stay. */
export function acpi_memory_unplug_cb(state: MachineState, slot: bigint): Transition<MachineState> {
  const idx = slotIndex(state, slot);
  const fx0 = trace('acpi_memory_unplug_cb', () => `slot ${slot}`);
  if (!idx.ok) return done(state, merge(fx0, trace('error', idx.why, 1)));
  return done(withSlot(state, idx.index, (s) => ({ enabled: false, inserting: s.inserting, removing: s.removing, ostEvent: s.ostEvent, ostStatus: s.ostStatus })), fx0);
}

/** ACPIOSTInfo as QEMU builds it for a slot (key order of the QMP output). */
export function ostInfo(state: MachineState, slot: number): Record<string, unknown> {
  const s = state.acpi.memhp!.slots[slot];
  const dimm = slotDimm(state, slot);
  const info: Record<string, unknown> = {};
  if (dimm?.id !== undefined) info.device = dimm.id;
  info.source = s.ostEvent;
  info.status = s.ostStatus;
  info.slot = String(slot);
  info['slot-type'] = 'DIMM';
  return info;
}

const x32 = (v: number | bigint): string => `0x${(BigInt(v) & 0xffffffffn).toString(16)}`;

/**
 * acpi_memory_hotplug_read(offset, size): the value before truncation to `size` bytes (uint32), with the
 * mhp_acpi_* trace point QEMU fires for it.
 */
export function acpi_memory_hotplug_read(state: MachineState, offset: number): { readonly value: number; readonly fx: Effects } {
  const memhp = state.acpi.memhp;
  if (!memhp) return { value: 0xffffffff, fx: NO_EFFECTS };
  const sel = memhp.selector;
  if (sel >= memhp.slots.length) return { value: 0, fx: tracepoint('mhp_acpi_invalid_slot_selected', x32(sel)) };
  const s = memhp.slots[sel];
  const dimm = slotDimm(state, sel);
  const lo = (v: bigint | undefined) => Number((v ?? 0n) & 0xffffffffn);
  const hi = (v: bigint | undefined) => Number(((v ?? 0n) >> 32n) & 0xffffffffn);
  const traced = (name: string, what: string, value: number) => ({ value, fx: tracepoint(name, () => `slot[${x32(sel)}] ${what}: ${x32(value)}`) });
  switch (offset) {
    case 0x00: return traced('mhp_acpi_read_addr_lo', 'addr lo', lo(dimm?.addr));
    case 0x04: return traced('mhp_acpi_read_addr_hi', 'addr hi', hi(dimm?.addr));
    case 0x08: return traced('mhp_acpi_read_size_lo', 'size lo', lo(dimm?.size));
    case 0x0c: return traced('mhp_acpi_read_size_hi', 'size hi', hi(dimm?.size));
    case 0x10: return traced('mhp_acpi_read_pxm', 'proximity', lo(dimm?.node));
    case 0x14: return traced('mhp_acpi_read_flags', 'flags', (s.enabled ? 1 : 0) | (s.inserting ? 2 : 0) | (s.removing ? 4 : 0));
    default: return { value: 0xffffffff, fx: NO_EFFECTS };
  }
}

/**
 * The guest's eject goes back to the DIMM's hotplug handler (qdev_get_hotplug_handler → hotplug_handler_unplug:
 * the machine's pc_machine_device_unplug_cb, machine/pc.ts); the caller hands it in, as QEMU looks it up at
 * run time. `depth`: the call level of the handler's trace.
 */
export type HotplugHandlerUnplug = (state: MachineState, dimm: Dimm, depth: number) => Transition<MachineState>;

/** acpi_memory_hotplug_write(offset, data, size). */
export function acpi_memory_hotplug_write(state: MachineState, offset: number, data: number, hotplugHandlerUnplug: HotplugHandlerUnplug): Transition<MachineState> {
  const memhp = state.acpi.memhp;
  if (!memhp || memhp.slots.length === 0) return done(state);
  data = data >>> 0;
  const sel = memhp.selector;
  if (offset !== 0 && sel >= memhp.slots.length) {
    return done(state, merge(trace('mhp_acpi_invalid_slot_selected', () => `selector ${sel}`), tracepoint('mhp_acpi_invalid_slot_selected', x32(sel))));
  }
  const setMemhp = (m: MemHotplugState): MachineState => stateWithAcpi(state, acpiWithMemhp(state.acpi, m));
  switch (offset) {
    case 0x00:
      return done(setMemhp({ selector: data, slots: memhp.slots }), merge(trace('mhp_acpi_write_slot', () => `selector ${data}`), tracepoint('mhp_acpi_write_slot', () => `set active slot: ${x32(data)}`)));
    case 0x04:
      return done(
        withSlot(state, sel, (s) => slotWith(s, { ostEvent: data })),
        merge(trace('mhp_acpi_write_ost_ev', () => `slot ${sel} event 0x${data.toString(16)}`), tracepoint('mhp_acpi_write_ost_ev', () => `slot[${x32(sel)}] OST EVENT: ${x32(data)}`)),
      );
    case 0x08: {
      const next = withSlot(state, sel, (s) => slotWith(s, { ostStatus: data }));
      const fx = merge(
        merge(trace('mhp_acpi_write_ost_status', () => `slot ${sel} status 0x${data.toString(16)}`), tracepoint('mhp_acpi_write_ost_status', () => `slot[${x32(sel)}] OST STATUS: ${x32(data)}`)),
        event('ACPI_DEVICE_OST', { info: ostInfo(next, sel) }),
      );
      return done(next, fx);
    }
    case 0x14: {
      const s = memhp.slots[sel];
      const slotTp = (name: string, what: string) => merge(trace(name, () => `slot ${sel}`), tracepoint(name, () => `slot[${x32(sel)}] ${what}`));
      if (data & 2) return done(withSlot(state, sel, (x) => slotWith(x, { inserting: false })), slotTp('mhp_acpi_clear_insert_evt', 'clear insert event'));
      if (data & 4) return done(withSlot(state, sel, (x) => slotWith(x, { removing: false })), slotTp('mhp_acpi_clear_remove_evt', 'clear remove event'));
      if (data & 8) {
        if (!s.enabled) return done(state, merge(trace('mhp_acpi_ejecting_invalid_slot', () => `slot ${sel}`), tracepoint('mhp_acpi_ejecting_invalid_slot', x32(sel))));
        const fx0: Effects = trace('acpi_memory_hotplug_write', () => `eject slot ${sel} → hotplug_handler_unplug`);
        const want = BigInt(sel);
        const dimm = state.dimms.find((d) => d.slot === want);
        if (!dimm) return done(state, merge(fx0, merge(trace('acpi_memory_eject', () => `slot ${sel} empty: ignored`, 1), slotTp('mhp_acpi_pc_dimm_deleted', 'pc-dimm deleted'))));
        const u = hotplugHandlerUnplug(state, dimm, 1);
        const gone = object_unparent(u.state, dimm, 1);
        return { state: gone.state, fx: merge(fx0, merge(merge(u.fx, gone.fx), slotTp('mhp_acpi_pc_dimm_deleted', 'pc-dimm deleted'))) };
      }
      return done(state);
    }
    default:
      return done(state);
  }
}
