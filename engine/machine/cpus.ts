// The vCPUs of a machine (hw/i386/x86.c x86_possible_cpu_arch_ids / x86_topo_ids_from_idx, hw/core/machine.c):
// every CPU index with its socket, core and thread (one die, all CPUs present: maxcpus = cpus), the NUMA node
// it belongs to, and its QOM path. QEMU creates CPU 0 first (/machine/unattached/device[0]), then the kvmvapic
// (device[1]), then CPUs 1..N-1 (device[2]..device[N]): every board device created after them is N-1 higher.

import type { MachineConfig } from '../config/types';

export interface Vcpu {
  readonly index: number;
  readonly socket: number;
  readonly core: number;
  readonly thread: number;
}

/** The machine's CPUs in index order (one without -smp). */
export function vcpus(config: Pick<MachineConfig, 'smp'>): Vcpu[] {
  const t = config.smp ?? { cpus: 1, sockets: 1, cores: 1, threads: 1 };
  return Array.from({ length: t.cpus }, (_, index) => ({
    index,
    thread: index % t.threads,
    core: Math.floor(index / t.threads) % t.cores,
    socket: Math.floor(index / (t.threads * t.cores)),
  }));
}

export function cpuCount(config: Pick<MachineConfig, 'smp'>): number {
  return config.smp?.cpus ?? 1;
}

/** A CPU's QOM path: CPU 0 before the kvmvapic, the others after it. */
export function cpuQomPath(index: number): string {
  return `/machine/unattached/device[${index === 0 ? 0 : index + 1}]`;
}

/**
 * machine_numa_finish_cpu_init: each CPU's node, from `-numa node,cpus=`, else the board's default
 * (pc_get_default_cpu_node_id: socket % nodes); none without NUMA nodes.
 */
export function cpuNodes(config: MachineConfig, numNodes: number): (number | undefined)[] {
  return vcpus(config).map((c) => {
    const explicit = config.numa.find((n) => n.cpus?.includes(c.index));
    if (explicit) return explicit.nodeid;
    return numNodes > 0 ? c.socket % numNodes : undefined;
  });
}
