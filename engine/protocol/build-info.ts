// What the QEMU build says about itself (query-version, `info version`), from the release's data.

import type { MonitorData } from '../versions/monitor';

type Build = MonitorData['build'];

export function queryVersion(b: Build): unknown {
  return { qemu: { micro: b.micro, minor: b.minor, major: b.major }, package: b.package };
}

/** `info version`: QEMU_VERSION immediately followed by QEMU_PKGVERSION. */
export function infoVersion(b: Build): string {
  return `${b.major}.${b.minor}.${b.micro}${b.package}\r\n`;
}
