// HMP (through human-monitor-command): the `info` texts people read, and the classic
// device_add/object_add lines. Output uses "\r\n" line ends, as the monitor writes them.

import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { NO_EFFECTS, type Effects } from '../effects';
import { splitOpts } from '../config/parse';
import { parseQemuSize } from '../units';
import { infoMemoryDevices, infoNuma } from '../selectors';
import { infoMtree } from '../memory/mtree';
import { infoIrq, infoPic } from './hmp-irq';
import { addBackend, deleteBackend } from '../devices/backends';
import { addDevice } from '../devices/qdev';
import { unplugRequest } from '../devices/unplug';

export interface HmpResult {
  readonly state: MachineState;
  readonly reply: string;
  readonly fx: Effects;
}

const text = (state: MachineState, reply: string, fx: Effects = NO_EFFECTS): HmpResult => ({ state, reply, fx });
const errorLine = (msg: string) => `Error: ${msg}\r\n`;

function info(state: MachineState, args: string[]): HmpResult {
  const [what, ...flags] = args;
  switch (what) {
    case 'mtree': {
      const unknown = flags.filter((f) => f !== '-f');
      if (unknown.length) throw new ModelLimit(`'info mtree ${unknown.join(' ')}' (the model prints 'info mtree' and 'info mtree -f')`);
      return text(state, infoMtree(state.mem, { flat: flags.includes('-f'), accel: state.config.accel }));
    }
    case 'memory-devices':
      return text(state, infoMemoryDevices(state));
    case 'numa':
      return text(state, infoNuma(state));
    case 'pic':
      return text(state, infoPic(state));
    case 'irq':
      return text(state, infoIrq(state));
    default:
      throw new ModelLimit(`HMP 'info ${what ?? ''}'`);
  }
}

export function hmp(state: MachineState, line: string): HmpResult {
  const words = line.trim().split(/\s+/);
  const [cmd, ...rest] = words;
  switch (cmd) {
    case 'info':
      return info(state, rest);
    case 'device_add': {
      const kv = splitOpts(rest.join(' '), 'driver');
      const driver = kv.find(([k]) => k === 'driver')?.[1];
      const id = kv.find(([k]) => k === 'id')?.[1];
      const props = kv.filter(([k]) => k !== 'driver' && k !== 'id');
      const r = addDevice(state, { driver, id, props }, true);
      return r.ok ? text(r.state, '', r.fx) : text(state, errorLine(r.error.desc), r.fx);
    }
    case 'device_del': {
      const r = unplugRequest(state, rest[0] ?? '');
      return r.ok ? text(r.state, '', r.fx) : text(state, errorLine(r.error.desc), r.fx);
    }
    case 'object_add': {
      const kv = splitOpts(rest.join(' '), 'qom-type');
      const get = (k: string) => kv.find(([key]) => key === k)?.[1];
      const type = get('qom-type');
      if (type !== 'memory-backend-ram' && type !== 'memory-backend-memfd') throw new ModelLimit(`HMP object_add of '${type}'`);
      const size = parseQemuSize(get('size') ?? '');
      if (size === undefined) throw new ModelLimit(`HMP object_add size '${get('size')}'`);
      const r = addBackend(state, type, get('id') ?? '', size);
      return r.ok ? text(r.state, '') : text(state, errorLine(r.error.desc));
    }
    case 'object_del': {
      const r = deleteBackend(state, rest[0] ?? '');
      return r.ok ? text(r.state, '') : text(state, errorLine(r.error.desc));
    }
    default:
      if (cmd === undefined || cmd === '') return text(state, '');
      throw new ModelLimit(`HMP command '${cmd}'`);
  }
}
