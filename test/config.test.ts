import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMachine, splitOpts, tokenize } from '../engine/config/parse';
import { GiB, MiB } from '../engine/units';

function ok(cmd: string) {
  const r = parseMachine(cmd);
  if (!r.ok) assert.fail(`expected ${cmd} to parse: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return r.config;
}
function refusedWith(cmd: string): string {
  const r = parseMachine(cmd);
  assert.equal(r.ok, false);
  if (r.ok || r.kind !== 'refused') return assert.fail(`expected a refusal for ${cmd}`);
  return r.error.desc;
}
function unsupported(cmd: string): string {
  const r = parseMachine(cmd);
  if (r.ok || r.kind !== 'unsupported') return assert.fail(`expected 'unsupported' for ${cmd}`);
  return r.message;
}

test('option splitting honours QEMU escapes and implied keys', () => {
  assert.deepEqual(splitOpts('pc,max-ram-below-4g=2G', 'type'), [['type', 'pc'], ['max-ram-below-4g', '2G']]);
  assert.deepEqual(splitOpts('a=x,,y,b=1'), [['a', 'x,y'], ['b', '1']]);
  assert.deepEqual(tokenize(`-M pc  -m "1G,slots=2,maxmem=4G"`), ['-M', 'pc', '-m', '1G,slots=2,maxmem=4G']);
});

test('-m: suffix-less sizes are MiB, rounded up to 8 KiB; maxmem and slots', () => {
  const c = ok('-M pc -m 1G,slots=4,maxmem=8G');
  assert.equal(c.type, 'pc');
  assert.equal(c.machineName, 'pc-i440fx-7.2');
  assert.equal(c.ramSize, GiB);
  assert.equal(c.ramSlots, 4n);
  assert.equal(c.maxramSize, 8n * GiB);
  assert.equal(ok('-m 512').ramSize, 512n * MiB);
  assert.equal(ok('-m 1001k').ramSize, 1032192n); // 1025024 rounded up to 8 KiB
  assert.equal(ok('-M q35').ramSize, 128n * MiB);
  assert.equal(ok('-M q35').machineName, 'pc-q35-7.2');
});

test('machine_set_mem refusals, in QEMU words', () => {
  assert.equal(refusedWith('-M pc -m 512M,slots=2'), 'slots specified but no max-size');
  assert.equal(refusedWith('-M pc -m 1G,slots=0'), 'slots specified but no max-size');
  assert.equal(
    refusedWith('-m 4G,slots=2,maxmem=2G'),
    'invalid value of maxmem: maximum memory size (0x80000000) must be at least the initial memory size (0x100000000)',
  );
  assert.equal(
    refusedWith('-m 1G,slots=2,maxmem=1G'),
    'invalid value of maxmem: memory slots were specified but maximum memory size (0x40000000) is equal to the initial memory size (0x40000000)',
  );
  assert.equal(ok('-m 1G,slots=0,maxmem=1G').maxramSize, GiB);
  assert.equal(ok('-m 1G,maxmem=8G').ramSlots, 0n);
});

test('globals, accelerators, objects, numa and cold-plugged DIMMs', () => {
  assert.equal(ok('-M pc -global PIIX4_PM.memory-hotplug-support=off').memoryHotplugSupport, false);
  assert.equal(ok('-M q35 -global ICH9-LPC.memory-hotplug-support=off').memoryHotplugSupport, false);
  assert.equal(ok('-M q35 -global PIIX4_PM.memory-hotplug-support=off').memoryHotplugSupport, true);
  assert.equal(ok('-accel kvm').accel, 'kvm');
  assert.equal(refusedWith('-accel qtest'), 'invalid accelerator qtest');
  const c = ok('-M pc -m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=ram0,size=1G -numa node,nodeid=0,memdev=ram0 -numa node,nodeid=1 -device pc-dimm,id=d0,memdev=m,slot=1,addr=0x140000000');
  assert.deepEqual(c.backends.map((b) => [b.id, b.size]), [['ram0', GiB]]);
  assert.deepEqual(c.numa.map((n) => [n.nodeid, n.memdev]), [[0, 'ram0'], [1, undefined]]);
  assert.equal(c.dimms[0].slot, 1n);
  assert.equal(c.dimms[0].addr, 0x140000000n);
  assert.equal(c.dimms[0].text, 'pc-dimm,id=d0,memdev=m,slot=1,addr=0x140000000');
});

test('versioned machine names carry their compat flags', () => {
  const old = ok('-M pc-i440fx-2.1 -m 5G,slots=2,maxmem=64G');
  assert.equal(old.flags.enforceAlignedDimm, false);
  assert.equal(old.flags.brokenReservedEnd, true);
  assert.equal(ok('-M pc-i440fx-2.0').flags.hasReservedMemory, false);
  assert.equal(ok('-M pc-q35-7.0').flags.enforceAmd1TbHole, false);
});

test('anything the model does not model is refused clearly, never ignored', () => {
  assert.match(unsupported('-M pc -rtc base=utc'), /unsupported option '-rtc'/);
  // -smp is modelled as libvirt writes it; a topology that needs CPU hotplug or a partial one is not
  assert.equal(ok('-M pc -smp 4,sockets=2,cores=2,threads=1').smp?.sockets, 2);
  assert.match(unsupported('-M pc -smp 2,maxcpus=4'), /maxcpus above cpus/);
  assert.match(unsupported('-M pc -smp 4,sockets=2'), /partial topology/);
  assert.match(unsupported('-M isapc'), /unsupported machine 'isapc'/);
  assert.match(unsupported('-object memory-backend-epc,id=f,size=1G'), /unsupported object type 'memory-backend-epc'/);
  // memory-backend-file is modelled (libvirt's file-backed memory), and needs its mem-path
  assert.equal(ok('-M pc -m 1G -object memory-backend-file,id=f,size=1G,mem-path=/x,share=on').backends[0].type, 'memory-backend-file');
  assert.match(unsupported('-device nvdimm,id=n'), /unsupported device 'nvdimm'/);
  assert.match(unsupported('-m 1G,foo=1'), /unsupported -m property 'foo'/);
  assert.match(unsupported('-global foo.bar=1'), /unsupported -global/);
  assert.match(unsupported('-m'), /needs an argument/);
  assert.match(unsupported('pc'), /unexpected argument 'pc'/);
});
