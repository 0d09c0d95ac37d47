// Machine descriptions in YAML (doc strings or files under features/machines/) → qemu-system-x86_64 options.
// Errors name the file (or feature file) and the line.

import { FileRefusal, MiB, readSuiteFile } from '../files';
import { repoPath } from '../paths';
import { Recent } from '../engine/recent';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';

export class MachineYamlError extends Error {}

const KEYS = ['machine', 'type', 'memory', 'slots', 'maxmem', 'max-ram-below-4g', 'accel', 'objects', 'numa', 'devices', 'globals', 'options'] as const;

/**
 * Accepts either `machine: "-M pc -m 1G,slots=4,maxmem=8G"` (the replay format's line) or the structured form:
 * ```yaml
 * type: pc            # or q35
 * memory: 1G
 * slots: 4
 * maxmem: 8G
 * objects: [memory-backend-ram,id=ram0,size=1G]
 * numa: [node,nodeid=0,memdev=ram0]
 * devices: [pc-dimm,id=cold0,memdev=cm0]
 * globals: [PIIX4_PM.memory-hotplug-support=off]
 * accel: tcg
 * ```
 * `where` is the file name; `firstLine` the line of the YAML's first line in that file.
 */
export function machineFromYaml(text: string, where: string, firstLine = 1): string {
  // The same descriptions come back scenario after scenario (a machine file, a Background's doc string): the
  // options are remembered per text (they depend on nothing else); a refusal, which names the place, is worked
  // out again every time (Recent does not remember a throw).
  return converted.get(text, () => convert(text, where, firstLine));
}
const converted = new Recent<string>(256);

function convert(text: string, where: string, firstLine: number): string {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const at = (offset: number | undefined) => `${where}:${(offset === undefined ? 0 : lc.linePos(offset).line - 1) + firstLine}`;
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new MachineYamlError(`${at(e.pos[0])}: malformed YAML: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new MachineYamlError(`${at(0)}: a machine description is a YAML mapping (machine: ... or type/memory/slots/maxmem)`);
  const get = (k: string): Node | undefined => root.items.find((p) => isScalar(p.key) && p.key.value === k)?.value as Node | undefined;
  for (const p of root.items) {
    const key = isScalar(p.key) ? String(p.key.value) : '?';
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new MachineYamlError(`${at((p.key as Node | null)?.range?.[0])}: unknown key '${key}' (expected one of ${KEYS.join(', ')})`);
    }
  }
  const scalar = (k: string): string | undefined => {
    const n = get(k);
    if (n === undefined) return undefined;
    if (!isScalar(n)) throw new MachineYamlError(`${at(n.range?.[0])}: '${k}' must be a single value`);
    return String(n.value);
  };
  const list = (k: string): string[] => {
    const n = get(k);
    if (n === undefined) return [];
    if (isScalar(n)) return [String(n.value)];
    if (!isSeq(n)) throw new MachineYamlError(`${at(n.range?.[0])}: '${k}' must be a list of option strings`);
    return n.items.map((i) => {
      if (!isScalar(i)) throw new MachineYamlError(`${at((i as Node).range?.[0])}: each '${k}' entry is one option string like in QEMU's command line`);
      return String(i.value);
    });
  };
  const whole = scalar('machine');
  if (whole !== undefined) {
    const others = root.items.filter((p) => isScalar(p.key) && p.key.value !== 'machine');
    if (others.length) throw new MachineYamlError(`${at((others[0].key as Node).range?.[0])}: 'machine' holds the whole command line; do not combine it with other keys`);
    return whole;
  }
  const type = scalar('type') ?? 'pc';
  const b4g = scalar('max-ram-below-4g');
  const out = [`-M ${type}${b4g ? `,max-ram-below-4g=${b4g}` : ''}`];
  const mem = scalar('memory');
  if (mem !== undefined) {
    const slots = scalar('slots');
    const maxmem = scalar('maxmem');
    out.push(`-m ${mem}${slots !== undefined ? `,slots=${slots}` : ''}${maxmem !== undefined ? `,maxmem=${maxmem}` : ''}`);
  }
  for (const o of list('objects')) out.push(`-object ${o}`);
  for (const n of list('numa')) out.push(`-numa ${n}`);
  for (const d of list('devices')) out.push(`-device ${d}`);
  for (const g of list('globals')) out.push(`-global ${g}`);
  const accel = scalar('accel');
  if (accel) out.push(`-accel ${accel}`);
  const extra = scalar('options');
  if (extra) out.push(extra);
  return out.join(' ');
}

/** Read `features/machines/<name>.yaml` (or a path) and convert it. */
export function machineFromFile(nameOrPath: string): string {
  // A name is features/machines/<name>.yaml; a path is taken inside features/ (and nowhere else).
  const isPath = /[/.]/.test(nameOrPath);
  const inFeatures = isPath ? nameOrPath.replace(/^(\.\/)?features\//, '') : `machines/${nameOrPath}.yaml`;
  let text: string;
  try {
    // The project's own features/ first (a project using this package as a dependency), then the bundled ones.
    const own = path.resolve('features');
    text = readSuiteFile(fs.existsSync(path.join(own, inFeatures)) ? own : repoPath('features'), inFeatures, MiB, 'features/');
  } catch (e) {
    if (!(e instanceof FileRefusal)) throw e;
    throw new MachineYamlError(`${e.message} (machines live in features/machines/<name>.yaml)`);
  }
  return machineFromYaml(text, `features/${inFeatures}`);
}
