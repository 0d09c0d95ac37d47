// What the QEMU build says about itself (query-version, `info version`): the Debian package the model
// reproduces. Data, like QEMU's own version strings.

export interface QemuBuild {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
  /** QEMU_PKGVERSION. */
  readonly package: string;
}

export const QEMU_7_2: QemuBuild = { major: 7, minor: 2, micro: 22, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' };

export function queryVersion(b: QemuBuild): unknown {
  return { qemu: { micro: b.micro, minor: b.minor, major: b.major }, package: b.package };
}

/** `info version`: QEMU_VERSION immediately followed by QEMU_PKGVERSION. */
export function infoVersion(b: QemuBuild): string {
  return `${b.major}.${b.minor}.${b.micro}${b.package}\r\n`;
}
