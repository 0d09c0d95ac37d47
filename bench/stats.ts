// Figures for the benchmarks: every measurement is a sample summarised as its median and spread (p10-p90,
// min-max), and the machine it ran on is described with it. Benchmarks assert nothing.

import * as os from 'node:os';

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p10: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
  return { n: s.length, min: s[0], p10: at(0.1), median: at(0.5), p90: at(0.9), max: s[s.length - 1] };
}

/** `12.3 µs (p10-p90 11.9-14.0, n 400)`, in the unit given. */
export function show(x: Summary, unit: string, digits = 1): string {
  const f = (v: number) => v.toFixed(digits);
  return `${f(x.median).padStart(8)} ${unit}  (p10-p90 ${f(x.p10)}-${f(x.p90)}, n ${x.n})`;
}

/** cpu model, cores, memory, OS, Node version and the load while measuring (a busy machine widens spreads). */
export function machineDescription(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return [
    `cpu: ${cpus[0]?.model.trim() ?? 'unknown'}, ${cpus.length} cores; ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `os: ${os.type()} ${os.release()} ${os.arch()}; node ${process.version}; load average ${load}`,
  ].join('\n');
}

/** Microseconds since an arbitrary origin. */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}
