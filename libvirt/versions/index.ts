// The libvirt versions the model knows, by name, and the QEMU machine types each QEMU offers libvirt.

import { ScenarioError } from '../../backends/types';
import { LIBVIRT_9_0 } from './libvirt-9.0';
import { LIBVIRT_11_3 } from './libvirt-11.3';
import type { LibvirtVersion, LibvirtVersionName, QemuVersionName } from './types';

export type { LibvirtVersion, LibvirtVersionName, QemuVersionName } from './types';
export { LIBVIRT_9_0, LIBVIRT_11_3 };
export { qemuMachineTypes, resolveMachineAlias } from './qemu-machines';

export const LIBVIRT_VERSIONS: Readonly<Record<LibvirtVersionName, LibvirtVersion>> = { '9.0': LIBVIRT_9_0, '11.3': LIBVIRT_11_3 };
export const DEFAULT_LIBVIRT_VERSION: LibvirtVersionName = '9.0';
export const LIBVIRT_VERSION_NAMES = Object.keys(LIBVIRT_VERSIONS) as LibvirtVersionName[];

/** A version by name (`9.0`, `11.3`; `9.0.0`/`11.3.0` accepted); a ScenarioError names the known ones. */
export function libvirtVersion(name: string | LibvirtVersion | undefined): LibvirtVersion {
  if (name === undefined) return LIBVIRT_VERSIONS[DEFAULT_LIBVIRT_VERSION];
  if (typeof name === 'object') return name;
  const short = String(name).replace(/\.0$/, '').replace(/^(\d+\.\d+)\.0$/, '$1');
  const v = LIBVIRT_VERSIONS[(short in LIBVIRT_VERSIONS ? short : String(name)) as LibvirtVersionName];
  if (!v) throw new ScenarioError(`unknown libvirt version '${name}' (known: ${LIBVIRT_VERSION_NAMES.join(', ')})`);
  return v;
}

/** The libvirt of a QEMU version's Debian release (9.0 with 7.2, 11.3 with 10.0): the default for a given QEMU. */
export function libvirtForQemu(qemu: string | undefined): LibvirtVersion {
  if (qemu === undefined) return LIBVIRT_VERSIONS[DEFAULT_LIBVIRT_VERSION];
  const v = Object.values(LIBVIRT_VERSIONS).find((l) => l.qemu === qemu);
  if (!v) throw new ScenarioError(`unknown QEMU version '${qemu}' (known: 7.2, 10.0)`);
  return v;
}

/**
 * The QEMU a libvirt version drives: its own Debian pair unless one is given. The recorded pairs are
 * 9.0 on 7.2 and 11.3 on 10.0; another pairing is refused as not modelled (nobody recorded it).
 */
export function pairedQemu(v: LibvirtVersion, qemu?: string): QemuVersionName {
  if (qemu === undefined || qemu === v.qemu) return v.qemu;
  if (qemu !== '7.2' && qemu !== '10.0') throw new ScenarioError(`unknown QEMU version '${qemu}' (known: 7.2, 10.0)`);
  throw new ScenarioError(`not modelled: libvirt ${v.name} driving QEMU ${qemu} (recorded pairs: libvirt 9.0 on QEMU 7.2, libvirt 11.3 on QEMU 10.0)`);
}
