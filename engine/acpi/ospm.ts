// query-acpi-ospm-status (qmp_query_acpi_ospm_status → acpi_memory_ospm_status): one entry per memory
// slot 0..dev_count-1 with the last _OST values, `device` only while a DIMM with an id is attached.
// Legacy CPU hotplug (the 7.2 default until the guest switches) adds no entries.

import type { MachineState } from '../state';
import { E } from '../errors';
import { ostInfo } from './memhp';
import type { Checked } from '../outcome';

export type OspmResult = Checked<readonly Record<string, unknown>[]>;

export function queryAcpiOspmStatus(state: MachineState): OspmResult {
  if (state.acpi.device === 'none') return { ok: false, error: E.noAcpiDevice() };
  const memhp = state.acpi.memhp;
  if (!memhp) return { ok: true, value: [] };
  return { ok: true, value: memhp.slots.map((_, i) => ostInfo(state, i)) };
}
