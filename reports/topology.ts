// The machine snapshot the steps attach to each scenario (as JSON) and the reports draw. Built only from
// what both backends answer (`info mtree -f`, `info mtree`, query-memory-devices, `info pic`, `info irq`,
// GPE reads), so model and QEMU runs produce the same picture.

export interface RangeView { start: bigint; end: bigint; prio: number; kind: string; name: string; offset: bigint }
export interface DimmView { id?: string; slot: number; node: number; addr: bigint; size: bigint; memdev: string; hotplugged: boolean }

export interface MemorySnapshot {
  /** `before` (after start-up) or `after` (end of scenario). */
  label: string;
  ranges: RangeView[];
  /** The device-memory container (inclusive end), when the machine has one. */
  deviceMemory?: { start: bigint; end: bigint };
  dimms: DimmView[];
}

export interface IrqChainSnapshot {
  machine: 'pc' | 'q35';
  /** GPE0 status/enable byte 0, undefined when the GPE block is not decoded (q35 before PMBASE). */
  gpeSts?: number;
  gpeEn?: number;
  gpePort?: number;
  /** GSI 9 level as reported by the intercepted IOAPIC input (`IRQ raise/lower 9`). */
  sci?: number;
  /** The GSI the SCI is routed to (pc 9; q35 by ICH9 ACPI_CTRL); 9 when absent. */
  sciGsi?: number;
  pic0?: { irr: number; imr: number; isr: number; elcr: number };
  pic1?: { irr: number; imr: number; isr: number; elcr: number };
  ioapicPin9?: { masked: boolean; trigger: string; entry: bigint; irr: boolean; remoteIrr: boolean };
  /** Rising-edge counts from `info irq`, per provider. */
  counts?: Record<string, Record<number, number>>;
}

export interface TimelineEntry {
  /** Gherkin step text that caused it (empty for set-up the world did on its own). */
  step: string;
  kind: 'start' | 'qmp' | 'qtest' | 'hmp';
  input: string;
  reply: string;
  events: string[];
  irqs: string[];
  trace: string[];
  /** QEMU trace-event log lines of the default set (when any fired). */
  traceEvents?: string[];
  internal?: boolean;
}

export interface ScenarioTopology {
  backend: string;
  machine?: string;
  startError?: string;
  before?: MemorySnapshot;
  after?: MemorySnapshot;
  irq?: IrqChainSnapshot;
  timeline: TimelineEntry[];
}

export const TOPOLOGY_MEDIA_TYPE = 'application/json';
export const TOPOLOGY_FILE_NAME = 'hotplug-topology.json';

const bigAsTagged = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `#big:${v.toString(16)}` : v);

/**
 * JSON.stringify(value, bigAsTagged), faster: without a replacer when there is no bigint to tag (JSON.stringify
 * refuses a bigint, and then the replacer's way is taken), and an object's properties one by one so that `own`
 * can hand in text already written for one of them. The text is the same either way.
 */
function tagged(value: unknown, own?: (key: string, v: unknown) => string | undefined): string | undefined {
  if (own === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    try {
      return JSON.stringify(value);
    } catch {
      return JSON.stringify(value, bigAsTagged);
    }
  }
  const parts: string[] = [];
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    const text = own(k, v) ?? tagged(v);
    if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/** A snapshot's ranges as JSON, written once per list (snapshots of the same start-up map share it). */
const rangesText = new WeakMap<readonly RangeView[], string>();

/** A memory snapshot as topologyToJson writes it; also the key that tells two snapshots' pictures apart. */
export function snapshotToJson(s: MemorySnapshot): string {
  return tagged(s, (k, v) => {
    if (k !== 'ranges' || !Array.isArray(v)) return undefined;
    let text = rangesText.get(v);
    if (text === undefined) rangesText.set(v, (text = tagged(v)!));
    return text;
  })!;
}

/** JSON text with bigints as `0x…` strings tagged so they come back as bigint. */
export function topologyToJson(t: ScenarioTopology): string {
  return tagged(t, (k, v) => ((k === 'before' || k === 'after') && v !== null && typeof v === 'object' ? snapshotToJson(v as MemorySnapshot) : undefined))!;
}

export function topologyFromJson(text: string): ScenarioTopology {
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && v.startsWith('#big:') ? BigInt('0x' + v.slice(5)) : v));
}
