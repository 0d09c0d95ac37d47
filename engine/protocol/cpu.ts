// The vCPU's host thread: `query-cpus-fast`'s `thread-id` and `info cpus`' `thread_id` are the id of the host thread
// QEMU runs the vCPU on. The model has none and says 0; the transcript comparison takes any integer there as equal
// (transcript/compare.ts, withoutHostValues).
export const CPU_THREAD_ID_PLACEHOLDER = 0;
