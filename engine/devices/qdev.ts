// qdev_device_add for the one device the model knows: driver and id checks, then properties in the
// order given (QEMU 7.2 turns QMP arguments into QemuOpts strings, so every value is parsed from text),
// then realize. Property errors therefore come before any pre_plug check (e.g. an unknown memdev).

import type { MachineState } from '../state';
import { E, ModelLimit } from '../errors';
import { trace } from '../effects';
import { refuse, type Outcome } from '../outcome';
import { isIdentifier, parseInt64 } from '../config/parse';
import { findBackend } from './backends';
import { plugDimm, type DimmRequest } from './pc-dimm';

export interface DeviceAddRequest {
  readonly driver?: string;
  readonly id?: string;
  /** Remaining properties as QemuOpts key/value strings, in the order given. */
  readonly props: ReadonlyArray<readonly [string, string]>;
}

/** Real QEMU devices the model does not model: refusing them with QEMU's words would be a lie. */
const KNOWN_UNMODELLED = new Set(['nvdimm', 'virtio-mem-pci', 'virtio-pmem-pci', 'virtio-balloon-pci', 'e1000', 'virtio-net-pci']);

const U32_MAX = (1n << 32n) - 1n;
const U64 = 1n << 64n;
const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;

function parseU64(text: string): bigint | undefined {
  const v = parseInt64(text);
  if (v === undefined) return undefined;
  if (v < 0n) return v < -U64 + 1n ? undefined : v + U64; // strtoull wraps negatives
  return v >= U64 ? undefined : v;
}

export function addDevice(state: MachineState, req: DeviceAddRequest, hotplugged: boolean): Outcome<MachineState> {
  const t = trace('qdev_device_add', req.driver);
  if (req.driver === undefined) return refuse(E.driverMissing(), t);
  if (req.driver !== 'pc-dimm') {
    if (KNOWN_UNMODELLED.has(req.driver)) throw new ModelLimit(`device '${req.driver}' (the model knows pc-dimm)`);
    return refuse(E.invalidDriver(req.driver), t);
  }
  if (req.id !== undefined) {
    if (!isIdentifier(req.id)) return refuse(E.parameterType('id', 'an identifier'), t);
    if (state.dimms.some((d) => d.id === req.id) || state.config.passiveDevices.some((d) => d.id === req.id)) {
      return refuse(E.duplicateDeviceId(req.id), t);
    }
  }
  const dimm: { -readonly [K in keyof DimmRequest]: DimmRequest[K] } = { id: req.id, slot: -1n, addr: 0n, node: 0n };
  for (const [key, value] of req.props) {
    switch (key) {
      case 'memdev': {
        if (!findBackend(state, value)) return refuse(E.memdevUnknown(value), t);
        dimm.memdev = value;
        break;
      }
      case 'slot': {
        const v = parseInt64(value);
        if (v === undefined) return refuse(E.parameterType('slot', 'integer'), t);
        if (v < I32_MIN || v > I32_MAX) return refuse(E.parameterType('slot', 'int32_t'), t);
        dimm.slot = v;
        break;
      }
      case 'addr': {
        const v = parseU64(value);
        if (v === undefined) return refuse(E.parameterType('addr', 'integer'), t);
        dimm.addr = v;
        break;
      }
      case 'node': {
        const v = parseU64(value);
        if (v === undefined) return refuse(E.parameterType('node', 'integer'), t);
        if (v > U32_MAX) return refuse(E.parameterType('node', 'uint32_t'), t);
        dimm.node = v;
        break;
      }
      case 'size':
        return refuse(E.propertyNotWritable('pc-dimm', 'size'), t);
      default:
        return refuse(E.propertyNotFound('pc-dimm', key), t);
    }
  }
  // Known divergence: QEMU's qdev_set_id consumes a peripheral-anon index even when realize fails; the
  // engine keeps a refused action's state untouched, so only successful anonymous devices count.
  const r = plugDimm(state, dimm, hotplugged);
  return r.ok ? { ...r, fx: { ...r.fx, trace: [...t.trace, ...r.fx.trace.map((e) => ({ ...e, depth: e.depth + 1 }))] } } : r;
}
