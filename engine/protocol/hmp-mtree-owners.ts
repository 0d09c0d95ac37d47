// `info mtree -o`: each region line followed by its owner (` owner:{dev path=…}`, ` owner:{obj path=…}`) or, for a
// region without one, its QOM parent (` parent:{obj path=/machine/unattached}`). The board's regions have the owners
// recorded per release and machine type (engine/versions/board.ts); the model names the owners of what it creates:
// a backend's RAM owned by /objects/ID, the device-memory container and NUMA's pc.ram container owned by /machine.
// A region whose owner is known neither way is not modelled (never guessed).

import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { boardDevicePath, numaMemdevMode } from '../qom/machine';

/** A region line: its start and the region's name (an alias by its own name), or undefined. */
function regionLine(line: string): { start: string; name: string } | undefined {
  const m = /^\s*([0-9a-f]{16})-[0-9a-f]{16} \(prio -?\d+, [a-z/]+\): (.*)$/.exec(line);
  if (!m) return undefined;
  let text = m[2].replace(/ \[disabled\]$/, '');
  if (text.startsWith('alias ')) text = text.slice(6, text.indexOf(' @'));
  else if (text.includes(' @')) text = text.slice(0, text.indexOf(' @'));
  return { start: m[1], name: text };
}

/** The owner suffix of a region; `flat`: a line of a flat view (no block header in the key). */
function ownerOf(state: MachineState, header: string, flat: boolean, name: string, start: string): string {
  const c = state.config;
  // A backend's RAM, named by its id or (memfd/file on machine types up to 3.1) by its canonical path.
  const backend = state.backends.find((b) => b.region === name || `/objects/${b.id}` === name);
  if (backend) return ` owner:{obj path=/objects/${backend.id}}`;
  if (name === 'device-memory' || (name === 'pc.ram' && numaMemdevMode(state))) return ' owner:{obj path=/machine}';
  const board = c.qemu.monitor.board();
  // RAM above 4 GiB is an alias made with RAM below it (recorded with -m 1G: only the one below shows).
  const as = name === 'ram-above-4g' ? 'ram-below-4g' : name;
  // A flat range of a region the recording never showed rendered (one the guest enabled since, e.g. the PM block at
  // PMBASE) has the owner the region has in the tree of the root address spaces.
  // A further CPU's SMM address space (-smp) holds what the first CPU's does, owned by that CPU (device[k+1]).
  const cpu = /^address-space: cpu-smm-(\d+)$/.exec(header);
  const k = cpu ? Number(cpu[1]) : 0;
  const asHeader = k > 0 ? 'address-space: cpu-smm-0' : header;
  const keys = flat
    ? [`F\t${as}\t${start}`, `F\t${as}`, `T\taddress-space: memory\t${as}`, `T\taddress-space: I/O\t${as}`]
    : [`T\t${asHeader}\t${as}\t${start}`, `T\t${asHeader}\t${as}`];
  for (const key of keys) {
    const o = board.owner(c.type, c.machineName, key);
    if (o === undefined) continue;
    const owner = o.replace(/path=([^}]*)/g, (_m, p: string) => `path=${boardDevicePath(state, p)}`);
    return k > 0 ? owner.replace('owner:{dev path=/machine/unattached/device[0]}', `owner:{dev path=/machine/unattached/device[${k + 1}]}`) : owner;
  }
  throw new ModelLimit(`'info mtree -o': the owner of region '${name}'`);
}

/** `info mtree [-f] [-D]` text with each region's owner appended, as `-o` prints it. */
export function withOwners(state: MachineState, text: string, flat: boolean): string {
  if (state.config.passiveDevices.length) throw new ModelLimit("'info mtree -o' with -device options other than pc-dimm");
  if (state.config.accel === 'kvm') throw new ModelLimit("'info mtree -o' with -accel kvm");
  let header = '';
  return text.split('\r\n').map((line) => {
    if (/^(address-space|memory-region): /.test(line)) header = line;
    const r = regionLine(line);
    return r ? line + ownerOf(state, header, flat, r.name, r.start) : line;
  }).join('\r\n');
}
