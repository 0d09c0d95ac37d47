// What virsh prints: success lines on stdout, and for a refusal `error: Failed to <verb> ... from FILE`
// followed by `error: <libvirt's formatted error>` on stderr (the empty line virsh adds is left out).

import { formatLibvirtError, type LibvirtError } from './errors';

export const ATTACHED = 'Device attached successfully';
export const DETACHED = 'Device detached successfully';

export type VirshReply = { readonly ok: string } | { readonly error: string };

export interface VirshOutput {
  readonly exitCode: 0 | 1;
  /** Every line virsh prints, verbatim. */
  readonly lines: readonly string[];
  /** The transcript's reply: the success line, or the error lines after the `Failed to ... FILE` line. */
  readonly reply: VirshReply;
}

export function virshSuccess(line: string): VirshOutput {
  return { exitCode: 0, lines: [line], reply: { ok: line } };
}

/** `failedLine` is e.g. `Failed to attach device from dev/seed.xml` (kept in `lines`, dropped from `reply`). */
export function virshFailure(failedLine: string, error: LibvirtError, keepFailedLine = false): VirshOutput {
  const message = `error: ${formatLibvirtError(error)}`;
  const lines = [`error: ${failedLine}`, ...message.split('\n')];
  return { exitCode: 1, lines, reply: { error: keepFailedLine ? lines.join('\n') : message } };
}
