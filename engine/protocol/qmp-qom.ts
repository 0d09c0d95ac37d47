// qom-list and qom-get over the part of the QOM tree the model builds: /, /objects and each backend,
// /machine and its properties, /machine/peripheral(-anon) and each DIMM, the ACPI device's registers.
// Objects QEMU has but the model does not describe (buses, memory regions, /machine/unattached) are refused
// as "not modelled".

import { qemuOf } from '../versions';
import type { MachineState } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { ghashKeys } from '../qom/ghash';
import { PERIPHERAL, resolvePathAt, type QomNode } from '../qom/tree';
import { qomGetBackend, qomListBackend, qomListObjects } from '../qom/objects';
import { acpiDevicePath, machineTypeName, qomGetMachine, qomListMachine } from '../qom/machine';
import { ich9PmBase, piix4PmBase } from '../acpi/pci-config';
import { qint } from '../selectors';

export type QomAnswer = { ok: true; value: unknown } | { ok: false; error: QemuError };

const ok = (value: unknown): QomAnswer => ({ ok: true, value });
const TYPE = { name: 'type', type: 'string' };
const ROOT_7_2: ReadonlyArray<readonly [string, string]> = [['objects', 'child<container>'], ['machine', 'child<MACHINE>'], ['chardevs', 'child<container>']];

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

export function qomList(state: MachineState, path: string): QomAnswer {
  if (path === acpiDevicePath(state)) throw new ModelLimit(`qom-list of the ACPI device '${path}'`);
  // QEMU 10.0's /backend container is empty on these machines.
  if (path === '/backend' && qemuOf(state.config).machineQom?.root.some(([n]) => n === 'backend')) return ok([TYPE]);
  const node = resolve(state, path);
  if (!node) return { ok: false, error: E.deviceNotFound(path) };
  switch (node.kind) {
    case 'root':
      return ok([TYPE, ...(qemuOf(state.config).machineQom?.root ?? ROOT_7_2).map(([name, type]) => ({ name, type: type.replace('MACHINE', machineTypeName(state)) }))]);
    case 'machine':
      return ok(qomListMachine(state));
    case 'backend':
      return ok(qomListBackend(state, node.backend));
    case 'dimm':
      return ok([TYPE, ...DIMM_PROPS.map(([name, type]) => ({ name, type }))]);
    case 'container':
      if (node.path === '/objects') return ok(qomListObjects(state));
      if (node.path === '/chardevs') return ok([TYPE]);
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
    case 'opaque':
      throw new ModelLimit(`qom-list of '${path}'`);
  }
}

export function qomGet(state: MachineState, path: string, prop: string): QomAnswer {
  if (path === acpiDevicePath(state)) return acpiDeviceProperty(state, prop);
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

function acpiDeviceProperty(state: MachineState, prop: string): QomAnswer {
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
  };
  if (!(prop in props)) throw new ModelLimit(`qom-get of ACPI device property '${prop}'`);
  return ok(props[prop]);
}
