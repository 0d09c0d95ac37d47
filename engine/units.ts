// The one place that parses and prints sizes and addresses. Everything is bigint: guest-physical
// addresses reach 2^64 - 1 and must never pass through a float.

export const KiB = 1024n;
export const MiB = 1024n * KiB;
export const GiB = 1024n * MiB;
export const TiB = 1024n * GiB;
export const U64_MAX = (1n << 64n) - 1n;

const SUFFIX: Readonly<Record<string, bigint>> = {
  b: 1n, k: KiB, m: MiB, g: GiB, t: TiB, p: 1024n * TiB, e: 1024n * 1024n * TiB,
};

const UNIT_WORDS: Readonly<Record<string, bigint>> = {
  b: 1n, bytes: 1n, byte: 1n,
  k: KiB, kb: KiB, kib: KiB, kilobytes: KiB,
  m: MiB, mb: MiB, mib: MiB,
  g: GiB, gb: GiB, gib: GiB,
  t: TiB, tb: TiB, tib: TiB,
};

export class SizeError extends Error {
  constructor(readonly input: string, readonly reason: string) {
    super(`invalid size '${input}': ${reason}`);
  }
}

/**
 * Parses a size the way a person writes one: `1G`, `512M`, `2097152 KiB`, `0x40000000`, `1073741824`.
 * `defaultUnit` applies to a bare decimal number (QEMU's `-m 512` means MiB); a hex number is always bytes.
 */
export function parseSize(input: string, defaultUnit: bigint = 1n): bigint {
  const text = input.trim();
  if (text === '') throw new SizeError(input, 'empty');
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  const m = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i.exec(text);
  if (!m) throw new SizeError(input, 'expected a number with an optional unit (B, K, M, G, T, KiB, MiB, GiB)');
  const unitWord = m[3].toLowerCase();
  let unit: bigint;
  if (unitWord === '') unit = defaultUnit;
  else if (unitWord in UNIT_WORDS) unit = UNIT_WORDS[unitWord];
  else throw new SizeError(input, `unknown unit '${m[3]}'`);
  const whole = BigInt(m[1]) * unit;
  if (m[2] === undefined) return whole;
  // Fractions ("1.5G") must land on a whole byte.
  const frac = m[2];
  const scaled = BigInt(frac) * unit;
  const denom = 10n ** BigInt(frac.length);
  if (scaled % denom !== 0n) throw new SizeError(input, 'fraction does not give a whole number of bytes');
  return whole + scaled / denom;
}

/**
 * QEMU's own size syntax (qemu_strtosz): number with optional single-letter suffix B/K/M/G/T/P/E.
 * Returns undefined when QEMU would refuse it; the caller owns the message.
 */
export function parseQemuSize(text: string, defaultSuffix: 'B' | 'M' = 'B'): bigint | undefined {
  const m = /^(0x[0-9a-fA-F]+|\d+(?:\.\d+)?)([bkmgtpeBKMGTPE]?)$/.exec(text.trim());
  if (!m) return undefined;
  const suffix = (m[2] || defaultSuffix).toLowerCase();
  const mult = SUFFIX[suffix];
  if (m[1].startsWith('0x') || m[1].startsWith('0X')) {
    // QEMU accepts hex only without a fractional part; a suffix still scales it.
    return BigInt(m[1]) * (m[2] ? mult : 1n);
  }
  const [int, frac = ''] = m[1].split('.');
  const denom = 10n ** BigInt(frac.length);
  const value = (BigInt(int + frac) * mult) / denom;
  if (value > U64_MAX) return undefined;
  return value;
}

/** `0x100000000` (QEMU's `0x%llx`). */
export function hex(value: bigint): string {
  return '0x' + value.toString(16);
}

/** Zero-padded lower-case hex without prefix, e.g. `%016llx`. */
export function hexPad(value: bigint, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** Human form used in reports and Gherkin: the largest exact binary unit (`1G`, `512M`, `4K`, `3`). */
export function formatSize(value: bigint): string {
  if (value === 0n) return '0';
  for (const [suffix, unit] of [['E', SUFFIX.e], ['P', SUFFIX.p], ['T', TiB], ['G', GiB], ['M', MiB], ['K', KiB]] as const) {
    if (value % unit === 0n) return `${value / unit}${suffix}`;
  }
  return value.toString();
}

export function alignUp(value: bigint, align: bigint): bigint {
  // Powers of two (every alignment QEMU uses) by masking; anything else by division.
  if (align > 0n && (align & (align - 1n)) === 0n && value >= 0n) return (value + align - 1n) & ~(align - 1n);
  return ((value + align - 1n) / align) * align;
}

export function isAligned(value: bigint, align: bigint): boolean {
  return value % align === 0n;
}

/**
 * QEMU's size_to_str ("1 GiB", "1.5 GiB", "0 B"): three significant digits (printf %0.3g) in the binary unit that
 * keeps the integer part below 1000.
 */
export function sizeToStr(value: bigint): string {
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  const x = Number(value) / (1000 / 1024);
  // frexp's exponent: x = m * 2^e with 0.5 <= m < 1 (0 for 0).
  const e = x === 0 ? 0 : Math.floor(Math.log2(x)) + 1;
  const i = Math.trunc((e - 1) / 10);
  const v = Number(value) / 2 ** (i * 10);
  return `${gFormat3(v)} ${suffixes[i]}B`;
}

/** printf's %0.3g for 0 <= v < 1000. */
function gFormat3(v: number): string {
  const s = v.toPrecision(3);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
