import { MemoryFlowStore } from '../lib/flows/memory-flow.store.js';
import { flowKey } from '../lib/flows/flow-key.js';

/**
 * Bytes per key of the memory store for a limit-3 flow at 1e6 distinct keys (keys shaped like real ones:
 * route identity + user id), and the heap once the windows have expired and the sweep ran.
 * Run with --expose-gc.
 */
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!(); gc!();
  return process.memoryUsage().heapUsed;
}

let clock = 1_000_000;
const store = new MemoryFlowStore({ now: () => clock, maxKeys: KEYS + 1, sweepIntervalMs: 3_600_000 });
// The guard hashes long route identities to 17 characters once (see FlowPolicyResolver).
const flowId = '#Kx9d2LpQ0aZ7mW3vB';
const start = heap();
const HITS = Number(process.env.BENCH_HITS_PER_KEY ?? 3);
for (let round = 0; round < HITS; round++) {
  clock += 1;
  for (let i = 0; i < KEYS; i++) store.consume([{ key: flowKey(flowId, `u:user-${i}`), limit: 3, windowMs: 60_000 }]);
}
const full = heap();
clock += 60_000;
store.sweep();
const after = heap();
const perKey = (full - start) / KEYS;
const report = {
  keys: KEYS,
  hitsPerKey: HITS,
  bytesPerKey: Math.round(perKey),
  heapStartMiB: +(start / 2 ** 20).toFixed(1),
  heapFullMiB: +(full / 2 ** 20).toFixed(1),
  heapAfterExpiryMiB: +(after / 2 ** 20).toFixed(1),
  liveKeysAfterSweep: store.size,
};
console.log(JSON.stringify(report));
store.close();
