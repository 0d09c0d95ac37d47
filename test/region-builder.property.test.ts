// Machine start-up makes its memory state at once (engine/memory/region-builder.ts, RegionBuilder: every region in
// one pass, every view rendered once) instead of through QEMU's sequence of memory transactions, region by region
// through the persistent table (RegionsCursor, what every later transaction does). Whatever the command line, the
// machine started is the very same either way: the whole state (every region, in the same buckets and order, the
// flat views, KVM slots, QOM hash tables, ACPI, IRQ), the warnings, the start-up's effects (trace, events, IRQ
// lines, trace points; made at once, they are the per-region build's when read) and what the monitor shows of it;
// refusals alike. The memory state is also compared alone, made each of the three ways (KVM's slots included).
// Checked on generated command lines (pc/q35 and versioned types, 7.2/10.0, RAM above 4 GiB, slots/maxmem,
// NUMA, -object/-device, acpi/hpet on/off, -smp, accel) and on every command line of the replay corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { parseMachine } from '../engine/config/parse';
import { buildMachineWith, type BuildResult } from '../engine/machine/build';
import { reduce } from '../engine/reduce';
import { buildMemory, startMemory } from '../engine/machine/memory-map';
import { computeLayout } from '../engine/machine/layout';
import { RegionBuilder, RegionsCursor } from '../engine/memory/region-builder';
import type { QemuVersion } from '../engine/versions';
import { repoPath } from '../paths';

/** Every value with its keys in their own order (deepStrictEqual ignores key order; a serialised state does not). */
function shape(x: unknown, stack: unknown[] = []): string {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'bigint': return `${x}n`;
    case 'undefined': return 'undefined';
    case 'function': return `fn ${x.name}`;
    case 'string': return JSON.stringify(x);
    case 'number': case 'boolean': case 'symbol': return String(x);
  }
  if (stack.includes(x)) throw new Error('cycle');
  stack.push(x);
  let s: string;
  if (Array.isArray(x)) s = `[${x.map((e) => shape(e, stack)).join(',')}]`;
  else if (x instanceof Map) s = `Map{${[...x].map(([k, v]) => `${shape(k, stack)}=>${shape(v, stack)}`).join(',')}}`;
  else if (x instanceof Set) s = `Set{${[...x].map((v) => shape(v, stack)).join(',')}}`;
  else {
    const o = x as Record<string, unknown>;
    s = `${o.constructor && o.constructor !== Object ? o.constructor.name : ''}{${Object.keys(o).map((k) => `${k}:${shape(o[k], stack)}`).join(',')}}`;
  }
  stack.pop();
  return s;
}

const SHOWN = ['info mtree', 'info mtree -f', 'info mtree -D', 'info mtree -f -d', 'info qom-tree', 'info irq', 'info pic', 'info memory-devices', 'info memdev'];

function observed(r: BuildResult): unknown {
  if (!r.ok) return r;
  const shown = SHOWN.map((line) => {
    try {
      return reduce(r.state, { kind: 'hmp', line }).reply;
    } catch (e) {
      return `throws ${(e as Error).message}`;
    }
  });
  return { state: r.state, warnings: r.warnings, trace: r.fx.trace, events: r.fx.events, irqs: r.fx.irqs, traceEvents: r.fx.traceEvents, shown };
}

function sameBothWays(commandLine: string, version: QemuVersion): void {
  const parsed = parseMachine(commandLine, version);
  if (!parsed.ok) return;
  const started = buildMachineWith(parsed.config, 'per-region');
  const bulk = observed(buildMachineWith(parsed.config, 'at-once'));
  const perRegion = observed(started);
  assert.deepStrictEqual(bulk, perRegion, `${version} ${commandLine}`);
  assert.equal(shape(bulk), shape(perRegion), `${version} ${commandLine}`);
  // The memory state alone, each way: transactions with the first tree made in one pass or region by region (with
  // their trace), and all at once (no trace; TCG only).
  const laid = computeLayout(parsed.config);
  if (!started.ok || !laid.ok) return; // refused before the memory is made
  const memories = (['at-once', 'per-region'] as const).map((how) => {
    const t = buildMemory(parsed.config, laid.value, how);
    return { state: t.state, trace: t.fx.trace, events: t.fx.events, irqs: t.fx.irqs, traceEvents: t.fx.traceEvents };
  });
  assert.deepStrictEqual(memories[0], memories[1], `${version} ${commandLine}`);
  assert.equal(shape(memories[0]), shape(memories[1]), `${version} ${commandLine}`);
  // All at once (KVM included: its slots from AS "memory"'s view after each transaction).
  const atOnce = startMemory(parsed.config, laid.value);
  assert.deepStrictEqual(atOnce, memories[1].state, `${version} ${commandLine}`);
  assert.equal(shape(atOnce), shape(memories[1].state), `${version} ${commandLine}`);
}

const sizes = ['128M', '512M', '1G', '2G', '3584M', '4G', '5G', '8G', '12G'];
const devices = [
  '-device VGA,id=video0', '-device cirrus-vga,id=video0', '-device e1000,id=net0', '-device isa-serial,id=serial0', '-device ib700,id=watchdog0',
  '-device pvpanic', '-device pci-bridge,chassis_nr=1,id=pci.1', '-device pcie-root-port,port=8,chassis=1,id=pci.1,bus=pcie.0',
  '-device qxl-vga,id=video0', '-device intel-hda,id=sound0', '-device AC97,id=sound0 -audiodev none,id=a1',
];

const line = fc.record({
  type: fc.constantFrom('pc', 'q35', 'pc-i440fx-2.7', 'pc-i440fx-5.2', 'pc-q35-2.8', 'pc-q35-6.0', 'pc-i440fx-9.2', 'pc-q35-9.2', 'pc-i440fx-1.7'),
  acpiOff: fc.boolean(),
  hpetOff: fc.boolean(),
  below: fc.constantFrom(undefined, '1G', '2G', '2560M'),
  ram: fc.constantFrom(...sizes),
  slots: fc.constantFrom(0, 1, 2, 4, 8),
  extra: fc.constantFrom('1G', '4G', '16G'),
  numa: fc.constantFrom('none', 'memdev', 'mem', 'empty-node'),
  dimms: fc.nat(3),
  backendType: fc.constantFrom('memory-backend-ram', 'memory-backend-memfd', 'memory-backend-file,mem-path=/tmp'),
  devices: fc.subarray(devices, { maxLength: 3 }),
  smp: fc.constantFrom(1, 1, 2, 3),
  accel: fc.constantFrom('', '-accel tcg', '-accel kvm', '-accel kvm,kernel-irqchip=split'),
  hotplugOff: fc.boolean(),
  version: fc.constantFrom<QemuVersion>('7.2', '10.0'),
});

test('start-up: the machine built in one pass is the one built region by region (generated command lines)', () => {
  fc.assert(
    fc.property(line, (l) => {
      const m = [l.type, l.acpiOff ? 'acpi=off' : '', l.hpetOff ? 'hpet=off' : '', l.below ? `max-ram-below-4g=${l.below}` : ''].filter(Boolean).join(',');
      const parts = [`-M ${m}`, l.slots ? `-m ${l.ram},slots=${l.slots},maxmem=${l.extra === '16G' ? '32G' : '16G'}` : `-m ${l.ram}`];
      if (l.numa === 'memdev') parts.push(`-object memory-backend-ram,id=n0,size=${l.ram} -numa node,nodeid=0,memdev=n0 -numa node,nodeid=1`);
      if (l.numa === 'mem') parts.push(`-numa node,nodeid=0,mem=${l.ram}`);
      if (l.numa === 'empty-node') parts.push('-numa node -numa node');
      for (let i = 0; i < l.dimms; i++) parts.push(`-object ${l.backendType.replace(/,.*/, '')},id=b${i},size=${i === 2 ? '1G' : '128M'}${l.backendType.includes(',') ? l.backendType.slice(l.backendType.indexOf(',')) : ''}`, `-device pc-dimm,id=d${i},memdev=b${i}`);
      parts.push(...l.devices);
      if (l.smp > 1) parts.push(`-smp ${l.smp}`);
      if (l.accel) parts.push(l.accel);
      if (l.hotplugOff) parts.push(`-global ${l.type.includes('q35') ? 'ICH9-LPC' : 'PIIX4_PM'}.memory-hotplug-support=off`);
      sameBothWays(parts.join(' '), l.version);
    }),
    { numRuns: 150 },
  );
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : f.endsWith('.yaml') ? [p] : [];
  });
}

test('start-up: the machine built in one pass is the one built region by region (every replay scenario, 7.2 and 10.0)', () => {
  const lines = new Set<string>();
  for (const f of yamlFiles(repoPath('test', 'replay'))) {
    const doc = parseYaml(readFileSync(f, 'utf8')) as { machine?: unknown } | null;
    if (typeof doc?.machine === 'string') lines.add(doc.machine);
  }
  assert.ok(lines.size > 100, `${lines.size} machine lines`);
  for (const l of lines) for (const v of ['7.2', '10.0'] as const) sameBothWays(l, v);
});

test('start-up: the machine built in one pass is the one built region by region (every machine the quick suites start)', () => {
  // bench/suite-machines.json: the distinct command lines the quick suites start (libvirt's domains included), each
  // with the release it runs on.
  const { machines } = JSON.parse(readFileSync(repoPath('bench', 'suite-machines.json'), 'utf8')) as { machines: [string, QemuVersion][] };
  assert.ok(machines.length > 100, `${machines.length} machines`);
  for (const [l, v] of machines) sameBothWays(l, v);
});

test('RegionBuilder refuses what the persistent table refuses', () => {
  const spec = { id: 'a', name: 'a', size: 16n, kind: 'container' as const };
  for (const t of [new RegionBuilder(), new RegionsCursor(new RegionBuilder().build())]) {
    t.create(spec);
    t.create({ id: 'b', name: 'b', size: 4n, kind: 'io' });
    assert.throws(() => t.create(spec), /region id 'a' exists/);
    assert.throws(() => t.addSubregion('a', 0n, 'nope'), /unknown region/);
    t.addSubregion('a', 0n, 'b');
    assert.throws(() => t.addSubregion('a', 4n, 'b'), /already has a container/);
    assert.throws(() => t.setEnabled('nope', false), /unknown region/);
  }
});
