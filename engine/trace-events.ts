// QEMU's trace points as the model fires them, and the selection a transcript shows.
//
// Every modelled trace point fires from the function that models the QEMU code that calls `trace_NAME()`
// (grep the name: i8259.ts, ioapic.ts, memhp.ts, gpe.ts, memory/kvm.ts), formatted with QEMU's format
// string from its `trace-events` file, exactly as the `log` backend writes it (`-trace NAME -D FILE`):
// `NAME ARGS`. The engine always fires all of them (Effects.traceEvents); which ones a transcript shows is
// chosen by patterns, as QEMU's `-trace` chooses which ones it logs.

import { QEMU_TRACE_EVENT_NAMES } from './trace-events-catalogue';

/** The trace points the model can fire, per QEMU version (the others are refused when selected). */
export const MODELLED_TRACE_EVENTS_72: readonly string[] = [
  // hw/acpi/memory_hotplug.c
  'mhp_acpi_invalid_slot_selected', 'mhp_acpi_ejecting_invalid_slot', 'mhp_acpi_read_addr_lo', 'mhp_acpi_read_addr_hi',
  'mhp_acpi_read_size_lo', 'mhp_acpi_read_size_hi', 'mhp_acpi_read_pxm', 'mhp_acpi_read_flags', 'mhp_acpi_write_slot',
  'mhp_acpi_write_ost_ev', 'mhp_acpi_write_ost_status', 'mhp_acpi_clear_insert_evt', 'mhp_acpi_clear_remove_evt',
  'mhp_acpi_pc_dimm_deleted', 'mhp_acpi_pc_dimm_delete_failed',
  // hw/mem/pc-dimm.c, hw/mem/memory-device.c
  'mhp_pc_dimm_assigned_slot', 'memory_device_pre_plug', 'memory_device_plug', 'memory_device_unplug',
  // hw/acpi/piix4.c (7.2)
  'piix4_gpe_readb', 'piix4_gpe_writeb',
  // hw/intc/i8259.c
  'pic_update_irq', 'pic_set_irq', 'pic_interrupt', 'pic_ioport_write', 'pic_ioport_read',
  // hw/intc/ioapic.c
  'ioapic_set_remote_irr', 'ioapic_clear_remote_irr', 'ioapic_eoi_broadcast', 'ioapic_eoi_delayed_reassert',
  'ioapic_mem_read', 'ioapic_mem_write', 'ioapic_set_irq',
];

/** QEMU 10.0 moved the GPE trace points from PIIX4 into the ACPI core (pc and q35 alike). */
export const MODELLED_TRACE_EVENTS_100: readonly string[] = [
  ...MODELLED_TRACE_EVENTS_72.filter((n) => !n.startsWith('piix4_gpe_')),
  'acpi_gpe_en_ioport_readb', 'acpi_gpe_en_ioport_writeb', 'acpi_gpe_sts_ioport_readb', 'acpi_gpe_sts_ioport_writeb',
];

/** Catalogued names that one version does not have at all (selecting them logs nothing there). */
const ABSENT: Readonly<Record<string, readonly string[]>> = {
  '7.2': ['acpi_gpe_en_ioport_readb', 'acpi_gpe_en_ioport_writeb', 'acpi_gpe_sts_ioport_readb', 'acpi_gpe_sts_ioport_writeb'],
  '10.0': ['piix4_gpe_readb', 'piix4_gpe_writeb'],
};

export function modelledTraceEvents(version = '7.2'): readonly string[] {
  return version === '10.0' ? MODELLED_TRACE_EVENTS_100 : MODELLED_TRACE_EVENTS_72;
}

/**
 * Why a selection cannot be shown faithfully, or undefined when it can: every catalogued QEMU event a pattern
 * selects must be one the model fires (or one this version does not have), and a pattern must select some
 * event the model knows of (an unknown name could be logged by a part of QEMU the model does not cover).
 */
export function traceEventSelectionProblem(patterns: readonly string[], version = '7.2'): string | undefined {
  const modelled = new Set(modelledTraceEvents(version));
  const absent = new Set(ABSENT[version] ?? []);
  const known = new Set([...QEMU_TRACE_EVENT_NAMES, ...MODELLED_TRACE_EVENTS_72, ...MODELLED_TRACE_EVENTS_100]);
  for (const p of patterns) {
    if (p === '') return 'not modelled: an empty trace-event pattern';
    const matched = [...known].filter((n) => traceEventMatches(p, n));
    if (matched.length === 0) return `not modelled: trace event '${p}' (the model knows no such event; see the README for the ones it fires)`;
    const missing = matched.filter((n) => !modelled.has(n) && !absent.has(n)).sort();
    if (missing.length > 0) {
      const shown = missing.length > 8 ? `${missing.slice(0, 8).join(', ')} and ${missing.length - 8} more` : missing.join(', ');
      return `not modelled: trace event${missing.length > 1 ? 's' : ''} ${shown} (selected by '${p}')`;
    }
  }
  return undefined;
}

/** The default selection of `replay --trace-events` (DESIGN "Replay"). */
export const DEFAULT_TRACE_EVENTS: readonly string[] = [
  'mhp_acpi_*', 'piix4_gpe_*', 'pic_set_irq', 'pic_ioport_read', 'pic_ioport_write', 'ioapic_set_irq',
  'ioapic_mem_read', 'ioapic_mem_write',
];

/** g_pattern_match_simple, as QEMU's `-trace PATTERN` matches event names: `*` any run, `?` one character. */
export function traceEventMatches(pattern: string, name: string): boolean {
  let re = patternRegExps.get(pattern);
  if (re === undefined) {
    re = new RegExp('^' + pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('') + '$');
    if (patternRegExps.size >= 256) patternRegExps.clear();
    patternRegExps.set(pattern, re);
  }
  return re.test(name);
}

/** Each pattern compiled once (a step's every trace line is tried against every selected pattern). */
const patternRegExps = new Map<string, RegExp>();

/** The event name of a log line (`pic_set_irq master 0 irq 1 level 1` → `pic_set_irq`). */
export function traceEventName(line: string): string {
  const sp = line.indexOf(' ');
  return sp < 0 ? line : line.slice(0, sp);
}

/** Keep the lines whose event one of the patterns selects (QEMU logs only enabled events). */
export function selectTraceEvents(lines: readonly string[], patterns: readonly string[]): string[] {
  return lines.filter((l) => {
    const name = traceEventName(l);
    return patterns.some((p) => traceEventMatches(p, name));
  });
}
