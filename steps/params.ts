// Cucumber parameter types. Sizes and addresses go through the engine's one units module, so `1G`,
// `512M`, `2097152 KiB`, `0x100000000` and `4294967296` mean what they mean everywhere else.

import { defineParameterType } from '@cucumber/cucumber';
import { parseSize } from '../engine/units';
import { hexParam } from './hex';

const SIZE_RE = /0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?: ?(?:[KMGTkmgt]i?B|[KMGTkmgt]|bytes?|B))?/;

defineParameterType({ name: 'size', regexp: SIZE_RE, transformer: (s: string) => parseSize(s), useForSnippets: false });
defineParameterType({ name: 'addr', regexp: SIZE_RE, transformer: (s: string) => parseSize(s), useForSnippets: false });

/** Register values and ports: `0x08`, `8`. */
defineParameterType({ name: 'hex', regexp: /0x[0-9a-fA-F]+|\d+/, transformer: hexParam, useForSnippets: false });

/** DIMM slot numbers may be negative in requests (`slot -2` is refused by QEMU with its own message). */
defineParameterType({ name: 'slot', regexp: /-?\d+/, transformer: (s: string) => Number(s), useForSnippets: false });
defineParameterType({ name: 'node', regexp: /\d+/, transformer: (s: string) => Number(s), useForSnippets: false });

defineParameterType({ name: 'level', regexp: /high|low/, transformer: (s: string) => (s === 'high' ? 1 : 0), useForSnippets: false });
defineParameterType({ name: 'bitstate', regexp: /set|clear/, transformer: (s: string) => s === 'set', useForSnippets: false });
