// The x86 pc/q35 machine types each QEMU version reports to libvirt (`-machine help` / query-machines,
// read from the real binaries: Debian's 7.2.22 and 10.0.2), and what `pc`/`q35` are aliases of there.
// libvirt checks a domain's machine against this list ("Emulator ... does not support machine type")
// and writes the alias' target into the domain (<type machine='pc-i440fx-10.0'>).

import type { QemuVersionName } from './types';

function series(kind: 'i440fx' | 'q35', versions: readonly string[]): string[] {
  return versions.map((v) => `pc-${kind}-${v}`);
}

const V2_TO_7_2 = ['2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11', '2.12', '3.0', '3.1', '4.0', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2'];
const V8_TO_10_0 = ['8.0', '8.1', '8.2', '9.0', '9.1', '9.2', '10.0'];

const MACHINES: Readonly<Record<QemuVersionName, ReadonlySet<string>>> = {
  // 7.2: i440fx from 1.4, q35 from 2.4 (and q35's 4.0.1)
  '7.2': new Set([
    ...series('i440fx', ['1.4', '1.5', '1.6', '1.7', '2.0', '2.1', '2.2', '2.3', ...V2_TO_7_2]),
    ...series('q35', [...V2_TO_7_2, '4.0.1']),
  ]),
  // 10.0: the i440fx types before 2.4 are gone
  '10.0': new Set([
    ...series('i440fx', [...V2_TO_7_2, ...V8_TO_10_0]),
    ...series('q35', [...V2_TO_7_2, '4.0.1', ...V8_TO_10_0]),
  ]),
};

/** Every versioned pc/q35 machine type of that QEMU. */
export function qemuMachineTypes(qemu: QemuVersionName): ReadonlySet<string> {
  return MACHINES[qemu];
}

/** `pc` → `pc-i440fx-<qemu>`, `q35` → `pc-q35-<qemu>`; any other name as given. */
export function resolveMachineAlias(name: string, qemu: QemuVersionName): string {
  if (name === 'pc') return `pc-i440fx-${qemu}`;
  if (name === 'q35') return `pc-q35-${qemu}`;
  return name;
}
