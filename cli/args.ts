// Argument parsing for every subcommand: Node's util.parseArgs on a small table of options per command.
// To add an option, add one line to the command's table in cli/main.ts (or the command's own module); the
// parser checks values (choices, integers, custom checks), builds `--help` from the table and reports
// every mistake the same way: a ScenarioError (exit code 2) naming the command, the option and what it
// expected, followed by the command's usage.

import { parseArgs } from 'node:util';
import { ScenarioError } from '../backends/types';

export interface OptionSpec {
  /** 'boolean' is a flag; 'string' takes a value (`--x V` or `--x=V`). */
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** The value's name in --help, e.g. 'FILE'. */
  readonly value?: string;
  readonly help: string;
  /** Allowed values (checked; shown in --help). */
  readonly choices?: readonly string[];
  /** May be given more than once: the values are collected in order. */
  readonly multiple?: boolean;
  /** Checks/normalises a value; returns an error text (what was expected) or undefined. */
  readonly check?: (v: string) => string | undefined;
  /**
   * A flag that may carry a value only as `--x=V` (never the next argument): `--trace-events` alone or
   * `--trace-events=P,...`. Its value is `true` or the string; `check` sees the string.
   */
  readonly optionalValue?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  /** The positional part of the usage line, e.g. 'FILE.yaml...'. */
  readonly args?: string;
  readonly summary: string;
  /** More text for `--help` after the options. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Fewest/most positionals (default: any number). */
  readonly minArgs?: number;
  readonly maxArgs?: number;
  /** Options not in the table are passed on (in order, with their values) instead of refused (`run`). */
  readonly passThrough?: boolean;
}

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  /** `passThrough` commands: the arguments not consumed, in their original order. */
  readonly rest: readonly string[];
  readonly help: boolean;
}

const oneOf = (choices: readonly string[]) => (choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices[0]);

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export function usageLine(c: CommandSpec): string {
  return `hotplug-scenarios ${c.name}${Object.keys(c.options).length ? ' [options]' : ''}${c.args ? ' ' + c.args : ''}`;
}

export function commandHelp(c: CommandSpec): string {
  const rows = Object.entries({ ...c.options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.optionalValue ? `[=${o.value ?? 'VALUE'}]` : o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const choices = o.choices ? ` (${o.choices.join(' | ')})` : '';
    return [flag, o.help + choices + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const w = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = [`usage: ${usageLine(c)}`, '', c.summary, '', 'options:', ...rows.map(([f, h]) => `  ${f.padEnd(w)}${h}`)];
  if (c.details) lines.push('', c.details);
  return lines.join('\n');
}

function fail(c: CommandSpec, what: string): never {
  throw new ScenarioError(`${c.name}: ${what}\n\nusage: ${usageLine(c)}\n(hotplug-scenarios ${c.name} --help for the options)`);
}

/** Parses `args` (the arguments after the command's name) by the command's table. */
export function parseCommand(c: CommandSpec, args: readonly string[]): Parsed {
  const table: Record<string, OptionSpec> = { ...c.options, help: HELP };
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(table)) options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  // strict: false + tokens: the checks below are ours, so every mistake reads the same.
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  const rest: string[] = [];
  let help = false;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok.kind === 'option-terminator') {
      if (c.passThrough) rest.push('--');
      continue;
    }
    if (tok.kind === 'positional') {
      if (c.passThrough) rest.push(tok.value);
      else positionals.push(tok.value);
      continue;
    }
    const spec = table[tok.name];
    if (!spec || (tok.rawName.startsWith('--') ? tok.rawName !== `--${tok.name}` : spec.short !== tok.rawName.slice(1))) {
      if (c.passThrough) {
        // Unknown here: hand it on unchanged, and a following value with it.
        rest.push(args[tok.index]);
        const next = tokens[t + 1];
        if (tok.inlineValue === undefined && next?.kind === 'positional' && next.index === tok.index + 1) {
          rest.push(next.value);
          t++;
        }
        continue;
      }
      fail(c, `unknown option '${tok.rawName}'`);
    }
    if (tok.name === 'help') {
      help = true;
      continue;
    }
    if (spec.optionalValue) {
      const v = tok.inlineValue ? (tok.value ?? '') : undefined;
      const problem = v === undefined ? undefined : spec.check?.(v);
      if (problem !== undefined) fail(c, `--${tok.name} expects ${problem}, got '${v}'`);
      values[tok.name] = v ?? true;
      continue;
    }
    if (spec.type === 'boolean') {
      if (tok.inlineValue) fail(c, `--${tok.name} takes no value, got '${args[tok.index]}'`);
      values[tok.name] = true;
      continue;
    }
    let v = tok.value;
    if (v === undefined || (tok.inlineValue === false && v.startsWith('-') && v.length > 1 && !/^-\d/.test(v))) {
      fail(c, `--${tok.name} expects ${spec.choices ? oneOf(spec.choices) : (spec.value ?? 'a value')}, got nothing`);
    }
    if (spec.choices && !spec.choices.includes(v)) fail(c, `--${tok.name} expects ${oneOf(spec.choices)}, got '${v}'`);
    const problem = spec.check?.(v);
    if (problem !== undefined) fail(c, `--${tok.name} expects ${problem}, got '${v}'`);
    if (spec.multiple) values[tok.name] = [...((values[tok.name] as string[] | undefined) ?? []), v];
    else values[tok.name] = v;
  }
  if (!help) {
    if (c.minArgs !== undefined && positionals.length < c.minArgs) fail(c, `expects ${c.args ?? `${c.minArgs} argument(s)`}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    if (c.maxArgs !== undefined && positionals.length > c.maxArgs) fail(c, `unknown argument '${positionals[c.maxArgs]}'${c.maxArgs === 0 ? ' (takes none)' : ''}`);
  }
  return { values, positionals, rest, help };
}

/** A check for integer options: `--runs` wants 'an integer ≥ 1'. */
export const integerAtLeast = (min: number) => (v: string): string | undefined =>
  /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) && Number(v) >= min ? undefined : `an integer ≥ ${min}`;
