// libvirt's scaled integers (virScaleInteger, virParseScaledValue, virDomainParseMemory): sizes in XML
// are `<size unit='KiB'>N</size>` or `memory='N' unit='MiB'`, stored internally in KiB, rounded up.

import { LE, type LibvirtError } from './errors';

/** virMemoryMaxValue on 64-bit hosts: LLONG_MAX bytes. */
export const MEMORY_MAX_BYTES = (1n << 63n) - 1n;

export type Scaled = { readonly ok: true; readonly value: bigint | undefined } | { readonly ok: false; readonly error: LibvirtError };

/** Scale `value` by `suffix` (virScaleInteger): b/bytes, k|KiB (1024), KB (1000), ... up to E. */
export function scaleInteger(value: bigint, suffix: string | undefined, scale: bigint, limit: bigint): { ok: true; value: bigint } | { ok: false; error: LibvirtError } {
  let factor = scale;
  if (suffix === undefined || suffix === '') {
    suffix = '';
  } else if (/^(b|bytes?)$/i.test(suffix)) {
    factor = 1n;
  } else {
    let base: bigint;
    if (suffix.length === 1 || suffix.slice(1).toLowerCase() === 'ib') base = 1024n;
    else if (suffix.length === 2 && suffix[1].toLowerCase() === 'b') base = 1000n;
    else return { ok: false, error: LE.unknownSuffix(suffix) };
    const power = 'kmgtpe'.indexOf(suffix[0].toLowerCase());
    if (power < 0) return { ok: false, error: LE.unknownSuffix(suffix) };
    factor = base ** BigInt(power + 1);
  }
  if (value !== 0n && value > limit / factor) return { ok: false, error: LE.valueTooLarge(value.toString(), suffix) };
  return { ok: true, value: value * factor };
}

/**
 * virDomainParseMemory: `text` is the element/attribute value (undefined when absent or empty), `unit` its
 * unit; `xpath` names it in messages (`./size`). Returns KiB, rounded up; `value: undefined` when absent
 * and not required.
 */
export function parseMemoryKiB(text: string | undefined, unit: string | undefined, xpath: string, required: boolean): Scaled {
  if (text === undefined) {
    return required ? { ok: false, error: LE.missingElementOrAttr(xpath) } : { ok: true, value: undefined };
  }
  // virStrToLong_ullp: leading blanks allowed, no sign, base 10, the whole string
  const m = /^[ \t\n\r\f\v]*(\d+)$/.exec(text);
  if (!m || BigInt(m[1]) > (1n << 64n) - 1n) return { ok: false, error: LE.invalidElementOrAttr(text, xpath) };
  const scaled = scaleInteger(BigInt(m[1]), unit === '' ? undefined : unit, 1024n, MEMORY_MAX_BYTES);
  if (!scaled.ok) return scaled;
  const kib = (scaled.value + 1023n) / 1024n;
  if (kib >= (MEMORY_MAX_BYTES + 1023n) / 1024n) return { ok: false, error: LE.sizeTooLarge() };
  return { ok: true, value: kib };
}

export function roundUp(value: bigint, align: bigint): bigint {
  return ((value + align - 1n) / align) * align;
}
