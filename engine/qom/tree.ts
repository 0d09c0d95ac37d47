// The part of QEMU's QOM composition tree the model knows, for resolving paths the way
// object_resolve_path_at does: components are child<> or link<> properties, empty components are
// skipped, ".." means nothing. Parts of the tree the model does not hold raise ModelLimit.

import type { Dimm, MachineState, MemoryBackend } from '../state';
import { ModelLimit } from '../errors';

export type QomNode =
  | { readonly kind: 'root' }
  | { readonly kind: 'machine' }
  | { readonly kind: 'container'; readonly path: string }
  | { readonly kind: 'dimm'; readonly dimm: Dimm }
  | { readonly kind: 'backend'; readonly backend: MemoryBackend }
  | { readonly kind: 'passive'; readonly driver: string };

function child(state: MachineState, node: QomNode, part: string, where: string): QomNode | undefined {
  switch (node.kind) {
    case 'root':
      if (part === 'machine') return { kind: 'machine' };
      if (part === 'objects') return { kind: 'container', path: '/objects' };
      throw new ModelLimit(`QOM path component '${part}' under /`);
    case 'machine':
      if (part === 'peripheral' || part === 'peripheral-anon') return { kind: 'container', path: `/machine/${part}` };
      throw new ModelLimit(`QOM path component '${part}' under /machine`);
    case 'container': {
      if (node.path === '/objects') {
        const b = state.backends.find((x) => x.id === part);
        return b ? { kind: 'backend', backend: b } : undefined;
      }
      const path = `${node.path}/${part}`;
      const dimm = state.dimms.find((d) => d.path === path);
      if (dimm) return { kind: 'dimm', dimm };
      if (node.path === '/machine/peripheral') {
        const p = state.config.passiveDevices.find((d) => d.id === part);
        if (p) return { kind: 'passive', driver: p.driver };
      }
      return undefined;
    }
    case 'dimm': {
      // pc-dimm's only link that resolves is memdev.
      if (part !== 'memdev') return undefined;
      const b = state.backends.find((x) => x.id === node.dimm.memdev);
      return b ? { kind: 'backend', backend: b } : undefined;
    }
    case 'backend':
      return undefined;
    case 'passive':
      throw new ModelLimit(`QOM path below ${where}`);
  }
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

export const PERIPHERAL: QomNode = { kind: 'container', path: '/machine/peripheral' };
