// Steps that end in ':' take a doc string (text between """ lines) or a data table (| a | b | rows) under
// them. Given the other shape, a step says what it expected instead of failing on a missing method.

const shape = (v: unknown): string =>
  typeof v === 'string' ? 'a doc string' : v && typeof v === 'object' && typeof (v as { raw?: unknown }).raw === 'function' ? 'a data table' : v === undefined ? 'nothing' : typeof v;

/** Asserts that the step's argument is a doc string and returns it. */
export function docString(v: unknown, example = 'text'): string {
  if (typeof v === 'string') return v;
  throw new Error(`this step takes a doc string under it, not ${shape(v)}; for example:\n      """\n      ${example}\n      """`);
}

/** Asserts that the step's argument is a data table and returns it. */
export function dataTable<T extends object>(v: T | unknown, example = '| column | ... |'): T {
  if (v && typeof v === 'object' && typeof (v as { raw?: unknown }).raw === 'function') return v as T;
  throw new Error(`this step takes a data table under it, not ${shape(v)}; for example:\n      ${example}`);
}
