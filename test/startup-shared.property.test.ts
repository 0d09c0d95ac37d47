// Start-up parts made once and shared, or made in one pass, against the plain computation they stand for:
// - initialIrq (engine/machine/build.ts): the IRQ state at start-up, made once per combination of what initIrq reads,
//   is initIrq's for every command line of the replay corpus (7.2 and 10.0) and for generated ones;
// - simplifiedOnce (engine/memory/transaction.ts, committedAtOnce's): flatview_simplify in one pass is simplify's
//   result, range for range (frozen, keys in the same order), on generated range lists and on every address space's
//   rendering of the corpus machines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { parseMachine } from '../engine/config/parse';
import { buildFromCommandLine, initialIrq } from '../engine/machine/build';
import { initIrq } from '../engine/acpi/init';
import { renderWindow, simplify, SPACE_END } from '../engine/memory/flatview';
import { simplifiedOnce } from '../engine/memory/transaction';
import type { FlatRange } from '../engine/memory/types';
import type { QemuVersion } from '../engine/versions';
import { repoPath } from '../paths';

/** A value with its keys in their own order (deepStrictEqual ignores key order), frozenness included. */
function shape(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return { frozen: Object.isFrozen(v), keys: Object.keys(v), ...v };
    return v;
  });
}

function corpusLines(): string[] {
  const lines = new Set<string>();
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.yaml')) {
        const doc = parseYaml(readFileSync(p, 'utf8')) as { machine?: unknown } | null;
        if (typeof doc?.machine === 'string') lines.add(doc.machine);
      }
    }
  };
  walk(repoPath('test', 'replay'));
  walk(repoPath('test', 'replay-10.0'));
  return [...lines];
}

function sameIrq(line: string, version: QemuVersion): void {
  const parsed = parseMachine(line, version);
  if (!parsed.ok) return;
  const shared = initialIrq(parsed.config);
  const plain = initIrq(parsed.config);
  assert.deepStrictEqual(shared, plain, `${version} ${line}`);
  assert.equal(shape(shared), shape(plain), `${version} ${line}`);
}

test('initialIrq is initIrq (every corpus command line, 7.2 and 10.0)', () => {
  const lines = corpusLines();
  assert.ok(lines.length > 100, `${lines.length} lines`);
  for (const l of lines) for (const v of ['7.2', '10.0'] as const) sameIrq(l, v);
});

test('initialIrq is initIrq (generated command lines)', () => {
  const line = fc.record({
    type: fc.constantFrom('pc', 'q35', 'pc-i440fx-2.6', 'pc-i440fx-2.7', 'pc-q35-2.7', 'pc-q35-4.0', 'pc-q35-5.2', 'pc-i440fx-9.2'),
    hpet: fc.constantFrom('', ',hpet=off', ',hpet=on'),
    accel: fc.constantFrom('', '-accel tcg', '-accel kvm', '-accel kvm,kernel-irqchip=split', '-accel kvm,kernel-irqchip=on'),
    noHpet: fc.boolean(),
    version: fc.constantFrom<QemuVersion>('7.2', '10.0'),
  });
  fc.assert(fc.property(line, (l) => sameIrq(`-M ${l.type}${l.hpet} -m 1G ${l.accel}${l.noHpet ? ' -no-hpet' : ''}`, l.version)), { numRuns: 300 });
});

const ranges = fc.array(
  fc.record({ gap: fc.constantFrom(0n, 0n, 0n, 0x1000n), len: fc.constantFrom(1n, 0x1000n, 0x20000n), region: fc.constantFrom('a', 'b'), skip: fc.constantFrom(0n, 0n, 0x1000n), readonly: fc.boolean() }),
  { maxLength: 12 },
).map((parts) => {
  let at = 0n;
  let off = 0n;
  return parts.map((p): FlatRange => {
    const start = at + p.gap;
    at = start + p.len;
    off += p.skip;
    const r = { start, end: at, region: p.region, offsetInRegion: off, readonly: p.readonly };
    off += p.len;
    return r;
  });
});

test('simplifiedOnce is simplify (generated range lists)', () => {
  fc.assert(fc.property(ranges, (rs) => {
    const once = simplifiedOnce(rs);
    const plain = simplify(rs);
    assert.deepStrictEqual(once, plain);
    assert.equal(shape(once), shape(plain));
  }), { numRuns: 1000 });
});

test('simplifiedOnce is simplify (every address space of the corpus machines)', () => {
  for (const l of corpusLines()) {
    for (const v of ['7.2', '10.0'] as const) {
      const r = buildFromCommandLine(l, v);
      if (!r.ok) continue;
      const regions = r.state.mem.regions;
      for (const as of r.state.mem.addressSpaces) {
        const rendered = renderWindow(regions, as.root, 0n, SPACE_END);
        assert.equal(shape(simplifiedOnce(rendered)), shape(simplify(rendered)), `${v} ${l} ${as.name}`);
      }
    }
  }
});
