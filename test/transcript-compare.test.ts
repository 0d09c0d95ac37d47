// The transcript comparison's host values: query-cpus-fast's thread-id is the host's vCPU thread, so any integer
// there compares equal; everything else in the reply still compares exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTranscripts } from '../transcript/compare';

const cpus = (threadId: unknown, cpuIndex = 0) => ({
  steps: [{
    qmp: { execute: 'query-cpus-fast' },
    reply: { return: [{ 'thread-id': threadId, props: { 'core-id': 0, 'thread-id': 0, 'socket-id': 0 }, 'qom-path': '/machine/unattached/device[0]', 'cpu-index': cpuIndex, target: 'x86_64' }] },
    events: [],
    irqs: [],
  }],
});

test('query-cpus-fast: any thread-id integer compares equal (a host value)', () => {
  assert.deepEqual(compareTranscripts(cpus(10525), cpus(0)), []);
  assert.deepEqual(compareTranscripts(cpus(10525n), cpus(7)), []);
});

test('query-cpus-fast: the rest of the reply still compares exactly', () => {
  assert.equal(compareTranscripts(cpus(10525, 0), cpus(0, 1)).length, 1);
  assert.equal(compareTranscripts(cpus('x'), cpus(0)).length, 1, 'a thread-id that is no integer is not a host value');
});

test('thread-id elsewhere is not masked', () => {
  const t = (tid: number) => ({ steps: [{ qmp: { execute: 'query-hotpluggable-cpus' }, reply: { return: [{ 'thread-id': tid }] }, events: [], irqs: [] }] });
  assert.equal(compareTranscripts(t(1), t(0)).length, 1);
});

test("info cpus: thread_id is a host value too (HMP and human-monitor-command)", () => {
  const hmp = (tid: number) => ({ steps: [{ hmp: 'info cpus', reply: `* CPU #0: thread_id=${tid}\r\n`, events: [], irqs: [] }] });
  assert.deepEqual(compareTranscripts(hmp(6361), hmp(0)), []);
  const hmc = (tid: number, cpu = 0) => ({
    steps: [{ qmp: { execute: 'human-monitor-command', arguments: { 'command-line': 'info cpus' } }, reply: { return: `* CPU #${cpu}: thread_id=${tid}\r\n` }, events: [], irqs: [] }],
  });
  assert.deepEqual(compareTranscripts(hmc(6361), hmc(0)), []);
  assert.equal(compareTranscripts(hmc(6361, 1), hmc(0)).length, 1, 'the rest of the line still compares');
  const other = (tid: number) => ({ steps: [{ hmp: 'info status', reply: `thread_id=${tid}\r\n`, events: [], irqs: [] }] });
  assert.equal(compareTranscripts(other(1), other(0)).length, 1);
});
