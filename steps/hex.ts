// The {hex} step parameter (steps/params.ts), kept apart so it can be used without Cucumber.

/** `0x08` or `8`, read exactly (BigInt): a value a number cannot hold exactly is refused, never rounded. */
export function hexParam(s: string): number {
  const v = BigInt(s);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${s} is too large for this step (at most 0x${Number.MAX_SAFE_INTEGER.toString(16)}; the registers it writes are 32 bits or less)`);
  return Number(v);
}
