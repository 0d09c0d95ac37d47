// qom-list and qom-get over the part of the QOM tree the model builds: /, /objects and each backend,
// /machine and its properties, /machine/peripheral(-anon) and each DIMM, the ACPI device's registers.
// Objects QEMU has but the model does not describe (buses, memory regions, /machine/unattached) are refused
// as "not modelled".

import type { BackendPolicy, BackendProps, Dimm, MachineState, MemoryBackend } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { ghashKeys } from '../qom/ghash';
import { PERIPHERAL, resolvePathAt, type QomNode } from '../qom/tree';
import { qomGetBackend, qomListBackend, qomListObjects } from '../qom/objects';
import { acpiDevicePath, hpetUnattachedIndex, machineTypeName, qomGetMachine, qomListMachine, qomSetMachine } from '../qom/machine';
import { ich9PmBase, piix4PmBase } from '../acpi/pci-config';
import { child, machineQomTree, printQomTree, type BoardNode } from '../qom/board-tree';
import { isBusListing, qomListBus, qomListUnattached } from '../qom/board-order';
import { boardObjectProperty, isBoardObjectPath } from '../qom/board-props';
import { qint } from '../selectors';
import { cpuCount } from '../machine/cpus';
import type { Checked } from '../outcome';

export type QomAnswer = Checked<unknown>;

const ok = (value: unknown): QomAnswer => ({ ok: true, value });

/** Whether `path` is the ACPI device's (PIIX4_PM / ICH9-LPC); pc with acpi=off has none (its path names nothing). */
function isAcpiDevice(state: MachineState, path: string): boolean {
  return (state.config.type === 'q35' || state.config.acpi) && path === acpiDevicePath(state);
}
const TYPE = { name: 'type', type: 'string' };

/** object_resolve_path: absolute paths; a partial path (no leading '/') searches the whole tree. */
function resolve(state: MachineState, path: string): QomNode | undefined {
  if (!path.startsWith('/')) throw new ModelLimit(`the partial QOM path '${path}'`);
  return resolvePathAt(state, PERIPHERAL, path);
}

const DIMM_PROPS: ReadonlyArray<readonly [string, string]> = [
  ['parent_bus', 'link<bus>'], ['realized', 'bool'], ['hotplugged', 'bool'], ['hotpluggable', 'bool'], ['memdev', 'link<memory-backend>'],
  ['node', 'uint32'], ['addr', 'uint64'], ['legacy-memdev', 'str'], ['slot', 'int32'], ['size', 'uint64'],
];

function peripheralType(state: MachineState, name: string): string {
  const passive = state.config.passiveDevices.find((d) => d.id === name);
  return passive ? `child<${passive.driver}>` : 'child<pc-dimm>';
}

/** Whether qom-list of `path` is answered from the board's recorded replies (below /machine, outside what the model builds). */
function isBoardListPath(path: string): boolean {
  return /^\/machine\/./.test(path) && !/^\/machine\/(peripheral|peripheral-anon)(\/|$)/.test(path);
}

/**
 * qom-list of a board object: QEMU's reply recorded for the machine type with `-m 1G` (engine/versions/board.ts),
 * where the object's properties are still those (the same children); /machine/unattached and the buses, whose
 * children and links the configuration changes, in the order QEMU's hash table gives them (engine/qom/board-order.ts).
 */
function qomListBoard(state: MachineState, path: string): QomAnswer {
  let n: BoardNode | undefined = machineQomTree(state, () => []);
  for (const part of path.slice('/machine/'.length).split('/')) n = child(n, part);
  // The tree below /machine outside peripheral(-anon) is the board's, whole: what it lacks, QEMU lacks.
  if (!n) return { ok: false, error: E.deviceNotFound(path) };
  if (path === '/machine/unattached') return ok(qomListUnattached(state, n));
  const c = state.config;
  const board = c.qemu.monitor.board();
  // The board was recorded with one CPU and the HPET: the devices numbered after the first CPU's kvmvapic move up
  // one per further CPU, and those CPUs list as the first one does (recorded: the same properties in the same
  // order); without the HPET, the devices after it move down one.
  const m = /^\/machine\/unattached\/device\[(\d+)\](.*)$/.exec(path);
  let recordedPath = path;
  if (m) {
    const more = cpuCount(c) - 1;
    let k = Number(m[1]);
    if (k >= 2 && k < 2 + more) k = 0;
    else if (k >= 2) k -= more;
    const hpetAt = c.hpet === false ? hpetUnattachedIndex(state) : undefined;
    if (hpetAt !== undefined && k >= hpetAt) k += 1;
    recordedPath = `/machine/unattached/device[${k}]${m[2]}`;
  }
  const props = board.qomList(c.type, c.machineName, recordedPath, Boolean(state.acpi.memhp));
  if (!props) throw new ModelLimit(`qom-list of '${path}'`);
  const recorded = props.filter((p) => p.type.startsWith('child<')).map((p) => p.name).sort().join('/');
  const now = n.children.map((k) => k.name).sort().join('/');
  if (recorded !== now) throw new ModelLimit(`qom-list of '${path}' with this configuration's children`);
  if (isBusListing(props)) return ok(qomListBus(state, path, props));
  return ok(props.map((p) => ({ name: p.name, type: p.type })));
}

export function qomList(state: MachineState, path: string): QomAnswer {
  if (isBoardListPath(path)) return qomListBoard(state, path);
  if (isAcpiDevice(state, path)) throw new ModelLimit(`qom-list of the ACPI device '${path}'`);
  const node = resolve(state, path);
  if (!node) return { ok: false, error: E.deviceNotFound(path) };
  switch (node.kind) {
    case 'root':
      return ok([TYPE, ...state.config.qemu.monitor.rootChildren.map((name) => ({ name, type: name === 'machine' ? `child<${machineTypeName(state)}>` : 'child<container>' }))]);
    case 'machine':
      return ok(qomListMachine(state));
    case 'backend':
      return ok(qomListBackend(state, node.backend));
    case 'dimm':
      return ok([TYPE, ...DIMM_PROPS.map(([name, type]) => ({ name, type }))]);
    case 'container':
      if (node.path === '/objects') return ok(qomListObjects(state));
      // /chardevs holds the monitor and qtest sockets of whoever runs QEMU: not part of the machine.
      if (node.path === '/chardevs') throw new ModelLimit('qom-list of /chardevs (the harness\'s own character devices)');
      if (node.path === '/machine/peripheral') {
        // qmp_qom_list prepends while iterating: the class property `type` (iterated last) comes first, then the
        // children in reverse hash-table order.
        return ok([TYPE, ...ghashKeys(state.peripheral).reverse().map((name) => ({ name, type: peripheralType(state, name) }))]);
      }
      if (node.path === '/machine/peripheral-anon') {
        const anon = state.dimms.filter((d) => d.id === undefined);
        if (anon.length > 0 || state.config.passiveDevices.some((d) => d.id === undefined)) {
          throw new ModelLimit('qom-list of /machine/peripheral-anon with anonymous devices');
        }
        return ok([TYPE]);
      }
      throw new ModelLimit(`qom-list of '${path}'`);
    case 'passive':
      throw new ModelLimit(`qom-list of '${path}'`);
    case 'opaque':
      // QEMU 10.0's /backend container is empty on these machines (recorded: qemu-changes/qom-machine-pc-hotplug-numa).
      if (node.path === '/backend') return ok([TYPE]);
      throw new ModelLimit(`qom-list of '${path}'`);
  }
}

export function qomGet(state: MachineState, path: string, prop: string): QomAnswer {
  if (isAcpiDevice(state, path)) return acpiDeviceProperty(state, path, prop);
  if (isBoardObjectPath(path)) return boardObjectProperty(state, path, prop);
  const node = resolve(state, path);
  if (!node) return { ok: false, error: E.deviceNotFound(path) };
  switch (node.kind) {
    case 'machine':
      return qomGetMachine(state, prop);
    case 'backend':
      return qomGetBackend(state, node.backend, prop);
    case 'dimm': {
      const dimm = node.dimm;
      if (prop === 'legacy-memdev') throw new ModelLimit("qom-get of pc-dimm property 'legacy-memdev'");
      const props: Record<string, unknown> = {
        addr: qint(dimm.addr), slot: qint(dimm.slot), node: qint(dimm.node), size: qint(dimm.size),
        memdev: `/objects/${dimm.memdev}`, hotplugged: dimm.hotplugged, hotpluggable: true, realized: true, type: 'pc-dimm',
        parent_bus: '',
      };
      return prop in props ? ok(props[prop]) : { ok: false, error: E.propertyNotFound('pc-dimm', prop) };
    }
    case 'root':
    case 'container': {
      if (prop === 'type') return ok('container');
      const children = qomList(state, node.kind === 'root' ? '/' : node.path);
      const child = children.ok ? (children.value as { name: string; type: string }[]).find((c) => c.name === prop) : undefined;
      if (child) return ok(`${node.kind === 'root' ? '' : node.path}/${prop}`);
      return { ok: false, error: E.propertyNotFound('container', prop) };
    }
    case 'passive':
    case 'opaque':
      throw new ModelLimit(`qom-get of '${path}' property '${prop}'`);
  }
}

function acpiDeviceProperty(state: MachineState, path: string, prop: string): QomAnswer {
  const pc = state.config.type === 'pc';
  // PIIX4 keeps the programmed PMBASE even while disabled; ICH9's is 0 until ACPI_EN.
  const pmIoBase = pc ? piix4PmBase(state.acpi)?.base ?? 0 : ich9PmBase(state.acpi);
  const props: Record<string, unknown> = {
    gpe0_blk: pc ? 0xafe0 : pmIoBase + 0x20,
    gpe0_blk_len: pc ? 4 : 16,
    sci_int: 9,
    pm_io_base: pmIoBase,
    'memory-hotplug-support': state.config.memoryHotplugSupport,
    type: pc ? 'PIIX4_PM' : 'ICH9-LPC',
    ...(pc ? piix4CompatProps(state) : ich9CompatProps(state)),
  };
  if (prop === 'memory-hotplug-support' && !pc && !state.config.qemu.ich9MemoryHotplugProperty) return { ok: false, error: E.propertyNotFound('ICH9-LPC', prop) };
  // ICH9's ACPI PCI hotplug ports exist from the 6.1 machine types on (pc_compat_6_0).
  if (!pc && !state.config.flags.ich9AcpiPciHotplug && (prop === 'acpi-pcihp-io-base' || prop === 'acpi-pcihp-io-len')) {
    return { ok: false, error: E.propertyNotFound('ICH9-LPC', prop) };
  }
  // Its other qdev properties as info qtree shows them (the board's data).
  if (!(prop in props)) return boardObjectProperty(state, path, prop);
  return ok(props[prop]);
}

/** The machine type's release, [major, minor] (`pc`/`q35` resolve to the newest). */
function machineRelease(state: MachineState): [number, number] {
  const m = /(\d+)\.(\d+)(?:\.\d+)?$/.exec(state.config.machineName);
  return m ? [Number(m[1]), Number(m[2])] : [99, 0];
}

const upTo = (v: [number, number], major: number, minor: number) => v[0] < major || (v[0] === major && v[1] <= minor);

/** PIIX4_PM's properties as the machine type's compat properties set them (hw_compat_*, pc_compat_*). */
function piix4CompatProps(state: MachineState): Record<string, unknown> {
  const v = machineRelease(state);
  return {
    'acpi-pci-hotplug-with-bridge-support': !upTo(v, 1, 7), 'smm-compat': upTo(v, 5, 2), 'x-not-migrate-acpi-index': upTo(v, 6, 2),
    smb_io_base: 0xb100, disable_s3: 0, disable_s4: 0, s4_val: 2, 'acpi-root-pci-hotplug': true, acpi_enable_cmd: 0xf1,
    acpi_disable_cmd: 0xf0, 'acpi-pcihp-io-len': 24, 'acpi-pcihp-io-base': 0xae00, 'cpu-hotplug-legacy': true, addr: 11,
    multifunction: false, 'acpi-index': 0, romfile: '', rombar: state.config.qemu.version === '10.0' ? -1 : 1,
  };
}

/** ICH9-LPC's properties as the machine type's compat properties set them. */
function ich9CompatProps(state: MachineState): Record<string, unknown> {
  const v = machineRelease(state);
  const smiTimers = state.config.qemu.version === '10.0' ? { 'x-smi-swsmi-timer': !upTo(v, 9, 1), 'x-smi-periodic-timer': !upTo(v, 9, 1) } : {};
  return {
    'x-smi-cpu-hotplug': !upTo(v, 5, 1), 'x-smi-cpu-hotunplug': !upTo(v, 5, 2), 'smm-compat': upTo(v, 5, 2),
    'x-smi-broadcast': !upTo(v, 2, 8), 'acpi-pci-hotplug-with-bridge-support': !upTo(v, 6, 0),
    // pc_compat_6_1 turns it off, pc_compat_6_0 back on.
    // noreboot: on in 7.2; off by default in 10.0, where pc_compat_7_2 turns it back on.
    'x-keep-pci-slot-hpc': !(v[0] === 6 && v[1] === 1), noreboot: state.config.qemu.version === '10.0' ? upTo(v, 7, 2) : true, disable_s3: 0, disable_s4: 0, s4_val: 2, enable_tco: true,
    'x-smi-negotiated-features': 0, acpi_enable_cmd: 2, acpi_disable_cmd: 3, 'acpi-pcihp-io-base': 0xcc0, 'acpi-pcihp-io-len': 24,
    'cpu-hotplug-legacy': true, addr: 248, multifunction: true, 'acpi-index': 0, romfile: '',
    rombar: state.config.qemu.version === '10.0' ? -1 : 1, ...smiTimers,
  };
}

export type QomSetResult = Checked<MachineState>;

const POLICIES = ['default', 'preferred', 'bind', 'interleave'];

/**
 * qom-set: a backend's run-time properties (merge, dump, prealloc, policy) change; what only object creation
 * may set is refused in QEMU's words, as are a realized DIMM's qdev properties and read-only properties.
 */
export function qomSet(state: MachineState, path: string, prop: string, value: unknown): QomSetResult {
  const node = isAcpiDevice(state, path) ? undefined : resolve(state, path);
  if (isAcpiDevice(state, path)) throw new ModelLimit(`qom-set of the ACPI device '${path}'`);
  if (!node) return { ok: false, error: E.deviceNotFound(path) };
  const notWritable = (type: string) => ({ ok: false as const, error: E.propertyNotWritable(type, prop) });
  const bool = (): QemuError | undefined => (typeof value === 'boolean' ? undefined : E.invalidParameterType(prop, 'boolean'));
  switch (node.kind) {
    case 'backend': {
      const b = node.backend;
      const listed = qomListBackend(state, b) as { name: string; type: string }[];
      const entry = listed.find((p) => p.name === prop);
      if (!entry) return { ok: false, error: E.propertyNotFound(b.type, prop) };
      const set = (props: Partial<BackendProps>): QomSetResult => ({
        ok: true,
        value: { ...state, backends: state.backends.map((x) => (x === b ? { ...x, props: { ...x.props, ...props } } : x)) },
      });
      switch (prop) {
        case 'type':
          return notWritable(b.type);
        case 'size':
          return { ok: false, error: E.cannotChangeSize(b.type) };
        case 'share':
        case 'reserve': {
          const e = bool();
          return { ok: false, error: e ?? E.cannotChangeValue() };
        }
        case 'merge':
        case 'dump': {
          const e = bool();
          return e ? { ok: false, error: e } : set({ [prop]: value as boolean });
        }
        case 'prealloc': {
          const e = bool();
          if (e) return { ok: false, error: e };
          if (value && !b.props.reserve) return { ok: false, error: E.preallocReserve() };
          // Preallocation cannot be undone: setting it off once on changes nothing.
          return value ? set({ prealloc: true }) : { ok: true, value: state };
        }
        case 'policy': {
          if (typeof value !== 'string') return { ok: false, error: E.invalidParameterType(prop, 'string') };
          if (!POLICIES.includes(value)) return { ok: false, error: E.parameterValue(prop, value) };
          return set({ policy: value as BackendPolicy });
        }
        default:
          if (entry.type.startsWith('child<')) return notWritable(b.type);
          throw new ModelLimit(`qom-set of ${b.type} property '${prop}'`);
      }
    }
    case 'dimm': {
      const d = node.dimm;
      if (prop === 'type' || prop === 'size' || prop === 'hotpluggable') return notWritable('pc-dimm');
      if (!['addr', 'slot', 'node', 'memdev'].includes(prop)) {
        if (DIMM_PROPS.some(([n]) => n === prop)) throw new ModelLimit(`qom-set of pc-dimm property '${prop}'`);
        return { ok: false, error: E.propertyNotFound('pc-dimm', prop) };
      }
      if (d.id === undefined) throw new ModelLimit('qom-set on an anonymous pc-dimm');
      if (prop === 'memdev') {
        const target = typeof value === 'string' && value.startsWith('/') ? resolve(state, value) : undefined;
        if (target?.kind !== 'backend') throw new ModelLimit(`qom-set of pc-dimm link 'memdev' to ${JSON.stringify(value)}`);
        return { ok: false, error: E.setLinkAfterRealize(d.id, 'memdev') };
      }
      return { ok: false, error: E.setPropertyAfterRealize(d.id, prop) };
    }
    case 'machine':
      return qomSetMachine(state, prop, value);
    case 'root':
    case 'container': {
      const children = qomList(state, node.kind === 'root' ? '/' : node.path);
      const known = prop === 'type' || (children.ok && (children.value as { name: string }[]).some((c) => c.name === prop));
      return known ? notWritable('container') : { ok: false, error: E.propertyNotFound('container', prop) };
    }
    default:
      throw new ModelLimit(`qom-set of '${path}' property '${prop}'`);
  }
}

/** `info qom-tree PATH` for the subtrees the model builds: each object, then its children sorted by name. */
export function infoQomTree(state: MachineState, path: string | undefined): string {
  const dimmName = (d: Dimm) => d.path.slice(d.path.lastIndexOf('/') + 1);
  // The board's objects: the whole /machine tree (the default path) or a subtree of it by its absolute path.
  const boardTree = () => machineQomTree(state, (anon) => peripheralKids(anon));
  if (path === undefined || path === '/machine' || path === '/machine/') return printQomTree(boardTree());
  if (path.startsWith('/machine/') && !/^\/machine\/peripheral(-anon)?(\/|$)/.test(path)) {
    let n: BoardNode | undefined = boardTree();
    for (const part of path.slice('/machine/'.length).split('/').filter(Boolean)) n = child(n, part.replace(/\//g, '\\x2f'));
    if (n) return printQomTree(n);
  }
  if (isAcpiDevice(state, path)) throw new ModelLimit(`'info qom-tree ${path}'`);
  const node = resolve(state, path);
  if (!node) return `Path '${path}' could not be resolved.\r\n`;
  type Tree = { name: string; type: string; children: Tree[] };
  const backendTree = (b: MemoryBackend): Tree => {
    const region = (qomListBackend(state, b) as { name: string; type: string }[]).find((p) => p.type === 'child<memory-region>')!;
    return { name: b.id, type: b.type, children: [{ name: region.name, type: 'memory-region', children: [] }] };
  };
  const container = (name: string, kids: Tree[]): Tree => ({ name, type: 'container', children: kids });
  function peripheralKids(anon: boolean): Tree[] {
    if (state.config.passiveDevices.some((p) => (p.id === undefined) === anon)) throw new ModelLimit(`'info qom-tree ${path}' with -device options other than pc-dimm`);
    return state.dimms.filter((d) => (d.id === undefined) === anon).map((d) => ({ name: dimmName(d), type: 'pc-dimm', children: [] }));
  }
  let tree: Tree;
  switch (node.kind) {
    case 'backend':
      tree = backendTree(node.backend);
      break;
    case 'dimm':
      tree = { name: dimmName(node.dimm), type: 'pc-dimm', children: [] };
      break;
    case 'container':
      if (node.path === '/objects' && state.config.otherObjects?.length) throw new ModelLimit(`'info qom-tree /objects' with a secret object`);
      if (node.path === '/objects') tree = container('objects', state.backends.map(backendTree));
      else if (node.path === '/machine/peripheral') tree = container('peripheral', peripheralKids(false));
      else if (node.path === '/machine/peripheral-anon') tree = container('peripheral-anon', peripheralKids(true));
      else throw new ModelLimit(`'info qom-tree ${path}'`);
      break;
    case 'opaque':
      if (node.type !== 'memory-region') throw new ModelLimit(`'info qom-tree ${path}'`);
      tree = { name: node.path.slice(node.path.lastIndexOf('/') + 1), type: 'memory-region', children: [] };
      break;
    default:
      throw new ModelLimit(`'info qom-tree ${path}'`);
  }
  // g_strcmp0 on the names: byte order.
  const cmp = (a: Tree, b: Tree) => (Buffer.from(a.name).compare(Buffer.from(b.name)));
  const print = (t: Tree, indent: number): string =>
    `${' '.repeat(indent)}/${t.name} (${t.type})\r\n` + [...t.children].sort(cmp).map((c) => print(c, indent + 2)).join('');
  return print(tree, 0);
}
