// HMP `info qtree`: the qdev tree from the main system bus down. DIMMs are bus-less devices and do not show; what
// shows is the board, recorded per release and machine type (engine/versions/board.ts), with the lines the
// configuration decides filled in: the host bridge's RAM split, PIIX4_PM's memory-hotplug-support, the HPET
// (-no-hpet) and the ACPI device (pc with acpi=off has no PIIX4_PM, and 10.0's PIIX3 says has-acpi = false).

import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { BOARD_MARKER } from '../versions/board';
import { sizeToStr } from '../units';

/** The lines of the device block that starts at `at` (its `dev:` line and everything indented deeper). */
function blockEnd(lines: readonly string[], at: number): number {
  const indent = lines[at].length - lines[at].trimStart().length;
  let end = at + 1;
  while (end < lines.length && lines[end] !== '' && lines[end].length - lines[end].trimStart().length > indent) end++;
  return end;
}

function withoutDevice(lines: readonly string[], dev: string): readonly string[] {
  const at = lines.findIndex((l) => l.trim() === `dev: ${dev}, id ""`);
  return at < 0 ? lines : [...lines.slice(0, at), ...lines.slice(blockEnd(lines, at))];
}

export function infoQtree(state: MachineState): string {
  const c = state.config;
  if (c.accel === 'kvm') throw new ModelLimit("'info qtree' with -accel kvm (the in-kernel irqchip devices)");
  if (c.passiveDevices.length) throw new ModelLimit("'info qtree' with -device options other than pc-dimm");
  let lines = c.qemu.monitor.board().qtreeLines(c.type, c.machineName);
  if (c.hpet === false) lines = withoutDevice(lines, 'hpet');
  if (!c.acpi && c.type === 'pc') lines = withoutDevice(lines, 'PIIX4_PM').map((l) => (l.trim() === 'has-acpi = true' ? l.replace('true', 'false') : l));
  const size = (v: bigint) => `${v} (${sizeToStr(v)})`;
  return lines.map((l) => {
    const at = l.indexOf(BOARD_MARKER);
    if (at < 0) return l;
    const name = l.slice(at + 1);
    const value = name === 'below-4g-mem-size' ? size(state.layout.below4g)
      : name === 'above-4g-mem-size' ? size(state.layout.above4g)
      : name === 'memory-hotplug-support' ? String(c.memoryHotplugSupport)
      : undefined;
    if (value === undefined) throw new Error(`board data: unknown marker ${name}`);
    return `${l.slice(0, at)}${name} = ${value}`;
  }).join('\r\n');
}
