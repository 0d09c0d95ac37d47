// query-qmp-schema as data (engine/versions/data/qmp-schema-*.ts, recorded from each build), and what QAPI's
// input visitor derives from it: the members a command declares. Parsed once per release, on first use.

// The data modules are loaded on first use too (a run on one release does not read the other's schema): require()
// below, not import.

export interface SchemaMember {
  readonly name: string;
  readonly type: string;
  /** Optional members carry `default: null` in the introspection. */
  readonly optional: boolean;
}

export interface QmpSchema {
  /** The reply of query-qmp-schema, as the build gives it. */
  readonly entries: readonly unknown[];
  /** A command's argument members (undefined: no such command, or arguments that are not a plain object). */
  readonly commandMembers: (command: string) => readonly SchemaMember[] | undefined;
}

interface Entry {
  readonly name: string;
  readonly 'meta-type': string;
  readonly 'arg-type'?: string;
  readonly members?: readonly { name: string; type: string; default?: null }[];
  readonly variants?: readonly unknown[];
}

function load(text: string): QmpSchema {
  const entries = JSON.parse(text) as Entry[];
  const byName = new Map(entries.map((e) => [e.name, e]));
  const members = new Map<string, readonly SchemaMember[] | undefined>();
  return {
    entries,
    commandMembers: (command) => {
      if (members.has(command)) return members.get(command);
      const c = byName.get(command);
      const arg = c?.['meta-type'] === 'command' && c['arg-type'] !== undefined ? byName.get(c['arg-type']) : undefined;
      const m = arg && arg['meta-type'] === 'object' && !arg.variants
        ? (arg.members ?? []).map((x) => ({ name: x.name, type: x.type, optional: 'default' in x }))
        : undefined;
      members.set(command, m);
      return m;
    },
  };
}

function lazy(text: () => string): () => QmpSchema {
  let s: QmpSchema | undefined;
  return () => (s ??= load(text()));
}

/* eslint-disable @typescript-eslint/no-var-requires */
export const qmpSchema72 = lazy(() => (require('./data/qmp-schema-7.2') as typeof import('./data/qmp-schema-7.2')).QMP_SCHEMA_7_2);
export const qmpSchema100 = lazy(() => (require('./data/qmp-schema-10.0') as typeof import('./data/qmp-schema-10.0')).QMP_SCHEMA_10_0);
/* eslint-enable @typescript-eslint/no-var-requires */
