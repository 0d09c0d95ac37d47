// The part of QEMU's QOM composition tree the model knows, for resolving paths the way
// object_resolve_path_at does: components are child<> or link<> properties, empty components are
// skipped, ".." means nothing. Parts of the tree the model does not hold raise ModelLimit.

import { hasSmmRanges } from '../machine/smm';
import type { Dimm, MachineState, MemoryBackend } from '../state';
import { ModelLimit } from '../errors';
import { event, merge, trace, type Transition } from '../effects';
import { ghashRemove } from './ghash';
import { withoutDimm } from '../devices/placement';
import { stateWithDimms } from '../records';

export type QomNode =
  | { readonly kind: 'root' }
  | { readonly kind: 'machine' }
  | { readonly kind: 'container'; readonly path: string }
  | { readonly kind: 'dimm'; readonly dimm: Dimm }
  | { readonly kind: 'backend'; readonly backend: MemoryBackend }
  | { readonly kind: 'passive'; readonly driver: string }
  /** An object QEMU has that the model does not describe (a bus, a memory region, the PCI host, ...). */
  | { readonly kind: 'opaque'; readonly path: string; readonly type: string };

function child(state: MachineState, node: QomNode, part: string, where: string): QomNode | undefined {
  switch (node.kind) {
    case 'root':
      if (part === 'machine') return { kind: 'machine' };
      if (part === 'objects') return { kind: 'container', path: '/objects' };
      if (part === 'chardevs') return { kind: 'container', path: '/chardevs' };
      if (part === 'backend' && state.config.qemu.monitor.rootChildren.includes('backend')) return { kind: 'opaque', path: '/backend', type: 'container' };
      return undefined;
    case 'machine': {
      if (part === 'peripheral' || part === 'peripheral-anon' || part === 'unattached') return { kind: 'container', path: `/machine/${part}` };
      const type = machineChildTypes(state)[part];
      if (type) return { kind: 'opaque', path: `/machine/${part}`, type };
      if (machineLinkProps(state).includes(part)) throw new ModelLimit(`QOM path through the link /machine/${part}`);
      return undefined;
    }
    case 'container': {
      if (node.path === '/objects') {
        const b = state.backends.find((x) => x.id === part);
        const other = b ? undefined : state.config.otherObjects?.find((x) => x.id === part);
        if (other) return { kind: 'opaque', path: `/objects/${part}`, type: other.type };
        return b ? { kind: 'backend', backend: b } : undefined;
      }
      if (node.path === '/chardevs') return undefined;
      if (node.path === '/machine/unattached') throw new ModelLimit(`QOM path component '${part}' under /machine/unattached`);
      // A DIMM's path is /machine/peripheral/<id> when it has an id (anonymous ones are under peripheral-anon):
      // there, comparing the short ids finds the same DIMM as comparing whole paths.
      const path = `${node.path}/${part}`;
      const dimm = node.path === PERIPHERAL_PATH ? state.dimms.find((d) => d.id === part && d.path === path) : state.dimms.find((d) => d.path === path);
      if (dimm) return { kind: 'dimm', dimm };
      if (node.path === '/machine/peripheral') {
        const p = state.config.passiveDevices.find((d) => d.id === part);
        if (p) return { kind: 'passive', driver: p.driver };
      } else if (state.config.passiveDevices.some((d) => d.id === undefined)) {
        throw new ModelLimit(`QOM path component '${part}' under ${node.path} with anonymous -device options`);
      }
      return undefined;
    }
    case 'dimm': {
      // pc-dimm's only link that resolves is memdev.
      if (part !== 'memdev') return undefined;
      const b = state.backends.find((x) => x.id === node.dimm.memdev);
      return b ? { kind: 'backend', backend: b } : undefined;
    }
    case 'backend': {
      const region = state.mem.regions.get(node.backend.region)?.name ?? node.backend.id;
      return part === `${region.replace(/\//g, '\\x2f')}[0]` ? { kind: 'opaque', path: `/objects/${node.backend.id}/${part}`, type: 'memory-region' } : undefined;
    }
    case 'passive':
    case 'opaque':
      throw new ModelLimit(`QOM path below ${where}`);
  }
}

/** The children of /machine besides the containers, with their types (they exist, the model does not describe them). */
function machineChildTypes(state: MachineState): Readonly<Record<string, string>> {
  const out: Record<string, string> = { fw_cfg: 'fw_cfg_io', qtest: 'qtest' };
  out[state.config.type === 'pc' ? 'i440fx' : 'q35'] = state.config.type === 'pc' ? 'i440FX-pcihost' : 'q35-pcihost';
  if (state.layout.deviceMemory) out['device-memory[0]'] = 'memory-region';
  if (state.config.numa.some((n) => n.memdev !== undefined)) out['pc.ram[0]'] = 'memory-region';
  return out;
}

function machineLinkProps(state: MachineState): string[] {
  return ['rtc_state', 'smram', 'acpi-device', 'memory-backend']
    .filter((p) => p !== 'acpi-device' || state.config.acpi || state.config.type === 'q35')
    .filter((p) => p !== 'smram' || hasSmmRanges(state.config));
}

/** object_resolve_path_at(parent, path): absolute from the root, otherwise from `base`. */
export function resolvePathAt(state: MachineState, base: QomNode, path: string): QomNode | undefined {
  let node: QomNode = path.startsWith('/') ? { kind: 'root' } : base;
  let where = path.startsWith('/') ? '' : '.';
  for (const part of path.split('/')) {
    if (part === '') continue;
    const next = child(state, node, part, where);
    if (!next) return undefined;
    node = next;
    where += `/${part}`;
  }
  return node;
}

const PERIPHERAL_PATH = '/machine/peripheral';
export const PERIPHERAL: QomNode = { kind: 'container', path: PERIPHERAL_PATH };

/**
 * object_unparent of an unplugged pc-dimm (qom/object.c → device_unparent): it leaves the composition tree
 * (/machine/peripheral or peripheral-anon) and QEMU emits DEVICE_DELETED.
 */
export function object_unparent(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const next = stateWithDimms(state, withoutDimm(state.dimms, dimm.path, dimm), dimm.id === undefined ? state.peripheral : ghashRemove(state.peripheral, dimm.id), state.anonCount);
  const data = dimm.id !== undefined ? { device: dimm.id, path: dimm.path } : { path: dimm.path };
  return { state: next, fx: merge(trace('object_unparent', 'DEVICE_DELETED', depth), event('DEVICE_DELETED', data)) };
}
