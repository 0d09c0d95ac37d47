// Steps written once as generator bodies (steps/flow.ts) run without a promise on the model and as async functions
// elsewhere. Against the plain computations they replace:
// - drive: for random bodies (plain values, resolved and rejected promises, errors thrown, try/catch/finally), the
//   same values received, the same path taken and the same outcome as the same body written as an async function;
//   and no promise at all while the body meets none.
// - ModelBackend.immediate: the very results the asynchronous methods resolve to (trace and trace-event lines
//   included) and the same errors, on random action sequences; none for a subclass overriding a step method.
// - The world: exchanges driven at once on the model leave the same history, errors and flags as the same exchanges
//   on a backend seen only through its promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { call, drive, type Flow } from '../steps/flow';
import { ModelBackend } from '../backends/model';
import type { QmpCommand, StepResult } from '../backends/types';
import { stringifyJson } from '../transcript/json';
import { DEFAULT_TRACE_EVENTS } from '../engine/trace-events';
import { supportCodeLibraryBuilder } from '@cucumber/cucumber';

// steps/world.ts registers its World with Cucumber as it loads: outside a run, Cucumber's builder is opened first.
supportCodeLibraryBuilder.reset(process.cwd(), () => 'id');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { HotplugWorld } = require('../steps/world') as typeof import('../steps/world');
type HotplugWorld = import('../steps/world').HotplugWorld;

// --- drive ----------------------------------------------------------------------------------------------------
type Op =
  | { readonly kind: 'value' | 'resolved' | 'rejected'; readonly v: number; readonly caught: boolean }
  | { readonly kind: 'throw'; readonly v: number; readonly caught: boolean };
const opArb: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom('value', 'value', 'resolved', 'rejected', 'throw'), v: fc.integer({ min: 0, max: 99 }), caught: fc.boolean() }) as fc.Arbitrary<Op>;

const waitFor = (op: Op): unknown => (op.kind === 'value' ? op.v : op.kind === 'resolved' ? Promise.resolve(op.v) : Promise.reject(new Error(`rejected ${op.v}`)));

function* body(ops: readonly Op[], log: string[]): Flow<number> {
  let sum = 0;
  try {
    for (const op of ops) {
      try {
        if (op.kind === 'throw') throw new Error(`thrown ${op.v}`);
        const got = yield* call(waitFor(op) as number | Promise<number>);
        log.push(`got ${String(got)}`);
        sum += got;
      } catch (e) {
        if (!op.caught) throw e;
        log.push(`caught ${(e as Error).message}`);
      }
    }
    return sum;
  } finally {
    log.push('finally');
  }
}

async function asAsync(ops: readonly Op[], log: string[]): Promise<number> {
  let sum = 0;
  try {
    for (const op of ops) {
      try {
        if (op.kind === 'throw') throw new Error(`thrown ${op.v}`);
        const got = (await waitFor(op)) as number;
        log.push(`got ${String(got)}`);
        sum += got;
      } catch (e) {
        if (!op.caught) throw e;
        log.push(`caught ${(e as Error).message}`);
      }
    }
    return sum;
  } finally {
    log.push('finally');
  }
}

async function settle(run: () => unknown): Promise<{ ok: boolean; value: unknown; sync: boolean }> {
  let r: unknown;
  try {
    r = run();
  } catch (e) {
    return { ok: false, value: (e as Error).message, sync: true };
  }
  const sync = !(r instanceof Promise);
  try {
    return { ok: true, value: await r, sync };
  } catch (e) {
    return { ok: false, value: (e as Error).message, sync };
  }
}

test('drive runs a body as the same async function runs, and without a promise while it meets none', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 8 }), async (ops) => {
      const logA: string[] = [];
      const logB: string[] = [];
      const a = await settle(() => drive(body(ops, logA)));
      const b = await settle(() => asAsync(ops, logB));
      assert.deepEqual(logA, logB);
      assert.equal(a.ok, b.ok);
      assert.equal(a.value, b.value);
      // Until the first promise nothing waits: a body that meets none answers (or throws) at once.
      const firstPromise = ops.findIndex((o) => o.kind === 'resolved' || o.kind === 'rejected');
      const beforeIt = firstPromise < 0 ? ops : ops.slice(0, firstPromise);
      const endsBefore = firstPromise < 0 || beforeIt.some((o) => o.kind === 'throw' && !o.caught);
      assert.equal(a.sync, endsBefore, `sync answer for ${JSON.stringify(ops)}`);
    }),
    { numRuns: 500 },
  );
});

// --- ModelBackend.immediate --------------------------------------------------------------------------------
type Call = { readonly kind: 'qmp'; readonly command: QmpCommand } | { readonly kind: 'qtest' | 'hmp'; readonly line: string };
const qmpCall = (execute: string, args?: Record<string, unknown>): Call => ({ kind: 'qmp', command: { execute, ...(args ? { arguments: args } : {}) } });
const callArb: fc.Arbitrary<Call> = fc.oneof(
  fc.nat(4).map((i) => qmpCall('object-add', { 'qom-type': 'memory-backend-ram', id: `m${i}`, size: (128 << 20) * (1 + (i % 3)) })),
  fc.nat(4).map((i) => qmpCall('device_add', { driver: 'pc-dimm', id: `d${i}`, memdev: `m${i}` })),
  fc.nat(4).map((i) => qmpCall('device_del', { id: `d${i}` })),
  fc.nat(4).map((i) => qmpCall('object-del', { id: `m${i}` })),
  fc.constant(qmpCall('query-memory-devices')),
  fc.constant(qmpCall('no-such-command')),
  fc.nat(4).map((i): Call => ({ kind: 'qtest', line: `outl 0xa00 ${i}` })),
  fc.constantFrom<Call>({ kind: 'qtest', line: 'outb 0xa14 0x08' }, { kind: 'qtest', line: 'outb 0xafe2 0x08' }, { kind: 'qtest', line: 'inb 0xafe0' }, { kind: 'qtest', line: 'bogus' }),
  fc.constantFrom<Call>({ kind: 'hmp', line: 'info mtree -f' }, { kind: 'hmp', line: 'info pic' }, { kind: 'hmp', line: 'device_del nosuch' }, { kind: 'hmp', line: 'info nosuch' }),
);
const MACHINES = ['-M pc -m 1G,slots=4,maxmem=8G', '-M q35 -m 1G,slots=4,maxmem=8G', '-M pc -m 1G,slots=4,maxmem=8G -accel kvm', '-M pc -m 1G,maxmem=1G'];

/** A StepResult as everything reads it: its own keys (getters read) as JSON text. */
const shown = (r: StepResult): string => stringifyJson({ ...r });

async function outcomeOf(run: () => StepResult | Promise<StepResult>): Promise<string> {
  try {
    return `ok ${shown(await run())}`;
  } catch (e) {
    return `error ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

test('ModelBackend.immediate answers what the asynchronous methods resolve to', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...MACHINES), fc.constantFrom('7.2', '10.0'), fc.boolean(), fc.array(callArb, { maxLength: 15 }), async (machine, qemuVersion, traced, calls) => {
      const options = { qemuVersion: qemuVersion as '7.2' | '10.0', ...(traced ? { traceEvents: DEFAULT_TRACE_EVENTS } : {}) };
      const fast = new ModelBackend(options);
      const slow = new ModelBackend(options);
      const now = fast.immediate();
      assert.ok(now);
      assert.deepEqual(now.start(machine), await slow.start(machine));
      for (const c of calls) {
        const a = await outcomeOf(() => (c.kind === 'qmp' ? now.qmp(c.command) : c.kind === 'qtest' ? now.qtest(c.line) : now.hmp(c.line)));
        const b = await outcomeOf(() => (c.kind === 'qmp' ? slow.qmp(c.command) : c.kind === 'qtest' ? slow.qtest(c.line) : slow.hmp(c.line)));
        assert.equal(a, b, JSON.stringify(c));
      }
      now.close();
      await slow.close();
      assert.equal(fast.started, false);
      assert.equal(slow.started, false);
    }),
    { numRuns: 60 },
  );
});

test('ModelBackend.immediate is offered only while the methods a step goes through are its own', () => {
  assert.ok(new ModelBackend().immediate());
  class Qmp extends ModelBackend { override async qmp(c: QmpCommand) { return super.qmp(c); } }
  class Hmp extends ModelBackend { override hmpResult(l: string) { return super.hmpResult(l); } }
  class Apply extends ModelBackend { override apply(a: Parameters<ModelBackend['apply']>[0]) { return super.apply(a); } }
  class Start extends ModelBackend { override startSync(m: string) { return super.startSync(m); } }
  class Close extends ModelBackend { override async close() { return super.close(); } }
  for (const C of [Qmp, Hmp, Apply, Start, Close]) assert.equal(new C().immediate(), undefined, C.name);
});

// --- the world ------------------------------------------------------------------------------------------------
/** The model seen only through its promises (a subclass overriding a step method: no immediate answers). */
class Awaited extends ModelBackend {
  override async qmp(c: QmpCommand) { return super.qmp(c); }
}

function world(backend?: ModelBackend): HotplugWorld {
  const w = new HotplugWorld({ attach: () => undefined, log: () => undefined, link: () => undefined, parameters: { backend: 'model', attachments: false } } as never);
  if (backend) w.backend = backend;
  w.currentType = 'Action';
  return w;
}

type WorldCall = { readonly call: Call; readonly internal: boolean; readonly cleanup: boolean; readonly outcome: boolean };
const worldCallArb: fc.Arbitrary<WorldCall> = fc.record({ call: callArb, internal: fc.boolean(), cleanup: fc.boolean(), outcome: fc.boolean() });

function* exchange(w: HotplugWorld, c: WorldCall): Flow<StepResult> {
  w.currentType = c.outcome ? 'Outcome' : 'Action';
  if (c.call.kind === 'qmp') return yield* w.qmpFlow(c.call.command, { internal: c.internal, cleanup: c.cleanup });
  if (c.call.kind === 'qtest') return yield* w.qtestFlow(c.call.line, { internal: c.internal });
  return yield* w.hmpFlow(c.call.line, { internal: c.internal });
}

/** What a world shows after its exchanges: history (replies, events, IRQ lines, traces), the action, errors, flags. */
const worldShown = (w: HotplugWorld): string =>
  stringifyJson({
    history: w.history.map((e) => ({ kind: e.kind, input: e.input, result: { ...e.result }, step: e.step, internal: e.internal })),
    action: w.action.length,
    pending: w.pending ?? null,
    lastFailed: w.lastFailed,
    irqLevels: [...w.irqLevels],
    started: w.started,
    startError: w.startError ?? null,
  });

test('the world answers at once on the model what it answers through the promises of a backend', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...MACHINES), fc.array(worldCallArb, { maxLength: 12 }), async (machine, calls) => {
      const fast = world();
      // As createBackend makes the world's model: the default trace-event set.
      const slow = world(new Awaited({ traceEvents: DEFAULT_TRACE_EVENTS }));
      const started = drive(fast.startFlow(machine));
      assert.ok(!(started instanceof Promise), 'start answers at once on the model');
      assert.equal(started, await slow.start(machine));
      for (const c of calls) {
        let a: string;
        try {
          const r = drive(exchange(fast, c));
          assert.ok(!(r instanceof Promise), 'an exchange answers at once on the model');
          a = `ok ${shown(r)}`;
        } catch (e) {
          a = `error ${(e as Error).message}`;
        }
        const b = await outcomeOf(() => drive(exchange(slow, c))).then((o) => o.replace(/^error \w+: /, 'error '));
        assert.equal(a, b, JSON.stringify(c));
      }
      assert.equal(worldShown(fast), worldShown(slow));
      const closed = drive(fast.closeFlow());
      assert.ok(!(closed instanceof Promise), 'close answers at once on the model');
      await slow.close();
      assert.equal((fast.backend as ModelBackend).started, false);
      assert.equal((slow.backend as ModelBackend).started, false);
    }),
    { numRuns: 60 },
  );
});

test('the world answers at once only while its backend is the one it made (not a view put in its place, as libvirt does)', async () => {
  const w = world();
  drive(w.startFlow('-M pc -m 1G,slots=2,maxmem=4G'));
  const raw = w.backend!;
  const seen: string[] = [];
  // A view like steps/libvirt-world.ts's throughDomain: a Proxy of the very backend, with qmp of its own.
  w.backend = new Proxy(raw, {
    get(target, prop) {
      if (prop === 'qmp') return async (c: QmpCommand) => { seen.push(c.execute); return target.qmp(c); };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const r = drive(w.qmpFlow({ execute: 'query-memory-devices' }));
  assert.ok(r instanceof Promise, 'through the view: its promise');
  assert.deepEqual((await r).reply, { return: [] });
  assert.deepEqual(seen, ['query-memory-devices']);
});

test('libvirt on the model: the exchanges taken at once leave what they leave through the backend\'s promises', async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const lv = require('../steps/libvirt-world') as typeof import('../steps/libvirt-world');
  const domains = ['pc.xml', 'q35.xml', 'pc-min.xml', 'five-dimms.xml', 'two-nodes.xml', 'max-no-slots.xml', 'cold-dimm-bad-node.xml', 'unknown-machine.xml'];
  const devices = ['devices/dimm-512m.xml', 'devices/seed.xml', 'devices/unclosed.xml'];
  const virsh = (w: HotplugWorld) => stringifyJson(lv.libvirt(w).actionVirsh.map((v) => ({ command: v.command, lines: v.output.lines, exitCode: v.output.exitCode })));
  let fastSeen = 0;
  for (const file of domains) {
    for (const device of devices) {
      const fast = world();
      const slow = world(new Awaited({ traceEvents: DEFAULT_TRACE_EVENTS }));
      const outcome = async (w: HotplugWorld, run: () => Promise<void>) => {
        try {
          await run();
          return 'ok';
        } catch (e) {
          return `error ${(e as Error).message}`;
        }
      };
      for (const w of [fast, slow]) w.currentType = 'Context';
      const a = await outcome(fast, () => lv.defineAndStart(fast, lv.readDomainFile(fast, file), file));
      const b = await outcome(slow, () => lv.defineAndStart(slow, lv.readDomainFile(slow, file), file));
      assert.equal(a, b, file);
      for (const w of [fast, slow]) w.currentType = 'Action';
      const c = await outcome(fast, async () => {
        const r = drive(lv.attach(fast, lv.readDomainFile(fast, device), device));
        // attach (LibvirtDomain.attachFlow) runs to its end at once on the model
        assert.ok(!(r instanceof Promise), `attach at once: ${file} + ${device}`);
      });
      const d = await outcome(slow, async () => {
        await drive(lv.attach(slow, lv.readDomainFile(slow, device), device));
      });
      assert.equal(c, d, `${file} + ${device}`);
      // detach with the guest's eject (guest stand-in traffic, object-del, balloon refresh), then a plain detach that
      // finds nothing: each at once on the model, each leaving what it leaves through the promises
      for (const ejects of [true, false]) {
        for (const w of [fast, slow]) {
          lv.libvirt(w).resetAction();
          w.pending = undefined;
        }
        const e = await outcome(fast, async () => {
          const r = drive(lv.detach(fast, lv.readDomainFile(fast, device), ejects, device));
          assert.ok(!(r instanceof Promise), `detach at once: ${file} + ${device}`);
        });
        const f = await outcome(slow, async () => drive(lv.detach(slow, lv.readDomainFile(slow, device), ejects, device)));
        assert.equal(e, f, `${file} + ${device} detach`);
        assert.equal(virsh(fast), virsh(slow), `${file} + ${device} detach`);
        assert.equal(stringifyJson(lv.libvirt(fast).actionQmp), stringifyJson(lv.libvirt(slow).actionQmp));
        assert.equal(stringifyJson(lv.libvirt(fast).actionTrace), stringifyJson(lv.libvirt(slow).actionTrace));
      }
      assert.equal(worldShown(fast), worldShown(slow), `${file} + ${device}`);
      assert.equal(virsh(fast), virsh(slow), `${file} + ${device}`);
      assert.equal(stringifyJson(lv.libvirt(fast).actionQmp), stringifyJson(lv.libvirt(slow).actionQmp));
      if (fast.history.length > 2) fastSeen++;
    }
  }
  assert.ok(fastSeen > 6, `domains that started: ${fastSeen}`);
});

test('LibvirtDomain on a backend answering at once (Backend.immediate) gives what it gives through the promises', async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { LibvirtDomain } = require('../libvirt/domain-object') as typeof import('../libvirt/domain-object');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const lv = require('../steps/libvirt-world') as typeof import('../steps/libvirt-world');
  const w = world();
  const read = (f: string) => lv.readDomainFile(w, f);
  for (const file of ['pc.xml', 'q35.xml', 'two-nodes.xml', 'five-dimms.xml']) {
    const fast = new LibvirtDomain(new ModelBackend({ traceEvents: DEFAULT_TRACE_EVENTS }));
    const slow = new LibvirtDomain(new Awaited({ traceEvents: DEFAULT_TRACE_EVENTS }));
    assert.deepEqual(await fast.defineAndStart(read(file)), await slow.defineAndStart(read(file)));
    const steps: ((d: InstanceType<typeof LibvirtDomain>) => Promise<unknown>)[] = [
      (d) => d.attach(read('devices/dimm-512m.xml')),
      (d) => d.attach(read('devices/seed.xml')),
      (d) => d.qmp({ execute: 'query-memory-devices' }),
      (d) => d.detach(read('devices/dimm-512m.xml'), { guestEjects: false }),
      (d) => d.qtest('outl 0xa00 0x0'),
      (d) => d.qtest('outb 0xa14 0x8'),
      (d) => d.detach(read('devices/seed.xml'), { guestEjects: true }),
      (d) => d.hmp('info memory-devices'),
      (d) => d.attach(read('devices/unclosed.xml')),
    ];
    for (const [i, run] of steps.entries()) {
      const a = await run(fast).then((v) => stringifyJson(v), (e: Error) => `error ${e.message}`);
      const b = await run(slow).then((v) => stringifyJson(v), (e: Error) => `error ${e.message}`);
      assert.equal(a, b, `${file} step ${i}`);
      assert.equal(stringifyJson(fast.live ?? null), stringifyJson(slow.live ?? null), `${file} step ${i}`);
    }
  }
});

test('LibvirtDomain\'s trace, made when read, is the one made from answers whose trace was read at once', async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { LibvirtDomain } = require('../libvirt/domain-object') as typeof import('../libvirt/domain-object');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const lv = require('../steps/libvirt-world') as typeof import('../steps/libvirt-world');
  const read = (f: string) => lv.readDomainFile(world(), f);
  /** The model with every answer a plain object, its trace read as it comes, and taken at once (what Session did before it deferred it). */
  class Eager extends ModelBackend {
    override async qmp(c: QmpCommand) { const r = await super.qmp(c); return { ...r, trace: [...(r.trace ?? [])] }; }
    override async qtest(l: string) { const r = await super.qtest(l); return { ...r, trace: [...(r.trace ?? [])] }; }
    override async hmp(l: string) { const r = await super.hmp(l); return { ...r, trace: [...(r.trace ?? [])] }; }
  }
  for (const file of ['pc.xml', 'q35.xml', 'two-nodes.xml']) {
    const lazy = new LibvirtDomain(new ModelBackend({ traceEvents: DEFAULT_TRACE_EVENTS }));
    const eager = new LibvirtDomain(new Eager({ traceEvents: DEFAULT_TRACE_EVENTS }), { traceAtOnce: true });
    await lazy.defineAndStart(read(file));
    await eager.defineAndStart(read(file));
    const ops: ((d: InstanceType<typeof LibvirtDomain>) => Promise<{ trace: readonly unknown[] }>)[] = [
      (d) => d.attach(read('devices/dimm-512m.xml')),
      (d) => d.attach(read('devices/seed.xml')),
      (d) => d.detach(read('devices/dimm-512m.xml'), { guestEjects: true }),
      (d) => d.qtest('outl 0xa00 0x1'),
      (d) => d.qtest('outb 0xa14 0x8'),
      (d) => d.detach(read('devices/seed.xml'), { guestEjects: false }),
    ];
    let entries = 0;
    for (const [i, op] of ops.entries()) {
      const a = await op(lazy);
      const b = await op(eager);
      // the lazy one read after the eager one's whole operation, and again (the same trace both times)
      assert.equal(stringifyJson(a.trace), stringifyJson(b.trace), `${file} op ${i}`);
      assert.equal(stringifyJson({ ...a }), stringifyJson({ ...b }), `${file} op ${i}`);
      entries += b.trace.filter((t) => (t as { depth: number }).depth > 1).length;
    }
    assert.ok(entries > 10, `QEMU's trace below libvirt's hops: ${entries}`);
  }
});
