// The QEMU releases the model knows, by version string. The version is part of the machine config
// (MachineConfig.qemu), so every engine module reads the release's differences from state.config.qemu.

import { E } from '../errors';
import { QEMU_VERSIONS, type QemuVersion, type QemuVersionData } from './types';
import { QEMU_7_2 } from './qemu-7.2';
import { QEMU_10_0 } from './qemu-10.0';

export { QEMU_VERSIONS, type QemuVersion, type QemuVersionData } from './types';

/** The release used when a scenario does not say (replay `qemu-version:`, `--qemu-version`, world parameter). */
export const DEFAULT_QEMU_VERSION: QemuVersion = '7.2';

const DATA: Readonly<Record<QemuVersion, QemuVersionData>> = { '7.2': QEMU_7_2, '10.0': QEMU_10_0 };

export function isQemuVersion(v: unknown): v is QemuVersion {
  return typeof v === 'string' && (QEMU_VERSIONS as readonly string[]).includes(v);
}

/** The data of one release; throws on an unknown version string (callers validate user input first). */
export function qemuVersionData(v: QemuVersion = DEFAULT_QEMU_VERSION): QemuVersionData {
  const d = DATA[v];
  if (!d) throw new Error(`unknown QEMU version '${String(v)}' (known: ${QEMU_VERSIONS.join(', ')})`);
  return d;
}

/** The data of the release a machine is built by: `qemuOf(state.config).messages`, `.deviceAddFromJson`, ... */
export function qemuOf(config: { readonly qemu: QemuVersionData }): QemuVersionData {
  return config.qemu;
}

/** The message catalogue in this release's words: engine/errors.ts with the release's overrides. */
export function messagesOf(d: QemuVersionData): typeof E {
  return Object.keys(d.messages).length === 0 ? E : ({ ...E, ...d.messages } as typeof E);
}
