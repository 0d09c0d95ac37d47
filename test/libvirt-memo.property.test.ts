// The libvirt layer remembers what is pure in a text or a definition (defineDomain per text and versions,
// startDomain and domainXml per definition object, parseMemoryDeviceXml per text, flag and version). Each
// remembered answer must be what the plain computation gives, whatever was asked before (another version,
// another flag, the same text again), and a refusal or a "not modelled" throw must come back the same way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { defineDomain, defineDomainFresh, startDomain, startDomainFresh } from '../libvirt/domain';
import { domainXml, domainXmlFresh } from '../libvirt/livexml';
import { parseMemoryDeviceXml, parseMemoryDeviceXmlFresh } from '../libvirt/device';
import { libvirtVersion } from '../libvirt/versions';
import { repoPath } from '../paths';

const VERSIONS = ['9.0', '11.3'] as const;

/** The outcome of f: its value, or the throw's class and message. */
function outcome<T>(f: () => T): { value: T } | { threw: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

function xmlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? xmlFiles(path.join(dir, e.name)) : e.name.endsWith('.xml') ? [path.join(dir, e.name)] : []);
}

const DOMAIN_DIR = repoPath('features', 'domains');
const domainTexts = xmlFiles(DOMAIN_DIR).filter((f) => !f.includes(`${path.sep}devices${path.sep}`)).map((f) => fs.readFileSync(f, 'utf8'));
const deviceTexts = xmlFiles(path.join(DOMAIN_DIR, 'devices')).map((f) => fs.readFileSync(f, 'utf8'));

/** define (remembered) against define (plain), and for a defined domain start and the XML of both definitions. */
function checkDomain(xml: string, version: string): void {
  const opts = { libvirt: version };
  const fresh = outcome(() => defineDomainFresh(xml, opts));
  const got = outcome(() => defineDomain(xml, opts));
  assert.deepEqual(got, fresh);
  if (!('value' in got) || !('value' in fresh)) return;
  assert.equal(defineDomain(xml, opts), got.value, 'the same text is remembered');
  if (!got.value.ok || !fresh.value.ok) return;
  const def = got.value.def;
  const started = outcome(() => startDomain(def));
  assert.deepEqual(started, outcome(() => startDomainFresh(def)));
  assert.deepEqual(outcome(() => startDomain(def)), started);
  for (const active of [true, false]) {
    assert.equal(domainXml(def, active), domainXmlFresh(def, active));
    assert.equal(domainXml(def, active), domainXmlFresh(fresh.value.def, active));
  }
  if ('value' in started && started.value.ok) {
    const live = started.value.live;
    assert.equal(domainXml(live, true), domainXmlFresh(live, true));
    assert.equal(domainXml(live, false), domainXmlFresh(live, false));
  }
}

test('defineDomain, startDomain and domainXml remembered: the bundled domain files, each version in turn and again', () => {
  assert.ok(domainTexts.length > 20);
  for (let round = 0; round < 2; round++) {
    for (const xml of domainTexts) for (const v of round === 0 ? VERSIONS : [...VERSIONS].reverse()) checkDomain(xml, v);
  }
});

const domainArb = fc.record({
  machine: fc.constantFrom('pc', 'q35', 'pc-i440fx-7.2', 'pc-q35-10.0', 'isapc'),
  memoryMiB: fc.constantFrom(512, 1024, 1000, 2048),
  slots: fc.integer({ min: 0, max: 300 }),
  maxMiB: fc.constantFrom(0, 1024, 4096, 8192),
  vcpu: fc.integer({ min: 1, max: 3 }),
  cells: fc.integer({ min: 0, max: 2 }),
  dimms: fc.array(fc.record({ sizeMiB: fc.constantFrom(128, 256, 513), node: fc.integer({ min: -1, max: 2 }), slot: fc.option(fc.integer({ min: 0, max: 5 })) }), { maxLength: 3 }),
  cut: fc.option(fc.integer({ min: 0, max: 400 })),
  version: fc.constantFrom(...VERSIONS),
});

type DomainCase = typeof domainArb extends fc.Arbitrary<infer T> ? T : never;

function domainText(d: DomainCase): string {
  const cells = d.cells === 0 ? '' : `<cpu><numa>${Array.from({ length: d.cells }, (_, i) => `<cell id='${i}' cpus='${i % d.vcpu}' memory='${(d.memoryMiB * 1024) / d.cells}' unit='KiB'/>`).join('')}</numa></cpu>`;
  const dimms = d.dimms.map((m) => `<memory model='dimm'><target><size unit='MiB'>${m.sizeMiB}</size>${m.node >= 0 ? `<node>${m.node}</node>` : ''}</target>${m.slot !== null ? `<address type='dimm' slot='${m.slot}'/>` : ''}</memory>`).join('\n');
  const text = `<domain type='qemu'><name>hp</name><memory unit='MiB'>${d.memoryMiB}</memory>${d.maxMiB ? `<maxMemory slots='${d.slots}' unit='MiB'>${d.maxMiB}</maxMemory>` : ''}<vcpu>${d.vcpu}</vcpu><os><type arch='x86_64' machine='${d.machine}'>hvm</type></os><features><acpi/></features>${cells}<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>\n${dimms}</devices></domain>\n`;
  return d.cut === null ? text : text.slice(0, d.cut);
}

test('defineDomain, startDomain and domainXml remembered: generated domains (refusals and malformed XML too)', () => {
  fc.assert(fc.property(fc.array(domainArb, { minLength: 1, maxLength: 6 }), (ds) => {
    for (const d of ds) checkDomain(domainText(d), d.version);
    // asked again, in reverse order, after the others
    for (const d of [...ds].reverse()) checkDomain(domainText(d), d.version);
  }), { numRuns: 150 });
});

const deviceArb = fc.record({
  sizeMiB: fc.constantFrom(0, 128, 256, 513, 1024),
  node: fc.integer({ min: -1, max: 3 }),
  slot: fc.option(fc.integer({ min: 0, max: 300 })),
  alias: fc.option(fc.constantFrom('dimm0', 'ua-x', 'bad alias')),
  model: fc.constantFrom('dimm', 'nvdimm', 'virtio-mem'),
  cut: fc.option(fc.integer({ min: 0, max: 200 })),
});

type DeviceCase = typeof deviceArb extends fc.Arbitrary<infer T> ? T : never;

function checkDevice(xml: string, keepAlias: boolean, version: string): void {
  const v = libvirtVersion(version);
  const got = outcome(() => parseMemoryDeviceXml(xml, { keepAlias }, v));
  assert.deepEqual(got, outcome(() => parseMemoryDeviceXmlFresh(xml, { keepAlias }, v)));
  if ('value' in got) assert.equal(parseMemoryDeviceXml(xml, { keepAlias }, v), got.value);
}

test('parseMemoryDeviceXml remembered: per text, alias flag and version, the bundled and generated device XML', () => {
  for (const xml of deviceTexts) for (const keep of [false, true, false]) for (const v of VERSIONS) checkDevice(xml, keep, v);
  fc.assert(fc.property(fc.array(fc.tuple(deviceArb, fc.boolean(), fc.constantFrom(...VERSIONS)), { minLength: 1, maxLength: 6 }), (ds) => {
    const text = (d: DeviceCase) => {
      const t = `<memory model='${d.model}'><target><size unit='MiB'>${d.sizeMiB}</size>${d.node >= 0 ? `<node>${d.node}</node>` : ''}</target>${d.alias !== null ? `<alias name='${d.alias}'/>` : ''}${d.slot !== null ? `<address type='dimm' slot='${d.slot}'/>` : ''}</memory>`;
      return d.cut === null ? t : t.slice(0, d.cut);
    };
    for (const [d, keep, v] of ds) checkDevice(text(d), keep, v);
    for (const [d, keep, v] of [...ds].reverse()) checkDevice(text(d), !keep, v);
  }), { numRuns: 150 });
});
