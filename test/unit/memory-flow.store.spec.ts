import { MemoryFlowStore } from '../../lib/index.js';
import { flowKey } from '../../lib/flows/flow-key.js';
import { clientIpKey } from '../../lib/flows/client-ip.js';

describe('MemoryFlowStore: exact sliding window', () => {
  let clock = 0;
  let store: MemoryFlowStore;
  beforeEach(() => { clock = 1_000_000; store = new MemoryFlowStore({ now: () => clock }); });
  afterEach(() => store.close());
  const hit = (key = 'k', limit = 2, windowMs = 1000) => store.consume([{ key, limit, windowMs }]);

  it('admits `limit` requests in any window and none more, with no burst across a window edge', () => {
    // A fixed window starting at 1_000_000 would allow 2 at its end and 2 more right after the edge.
    clock = 1_000_900; expect(hit().admitted).toBe(true);
    clock = 1_000_950; expect(hit().admitted).toBe(true);
    clock = 1_001_000; expect(hit().admitted).toBe(false);
    clock = 1_001_100; expect(hit().admitted).toBe(false);
    clock = 1_001_899; expect(hit().admitted).toBe(false);
    clock = 1_001_900; expect(hit().admitted).toBe(true); // first slot frees exactly windowMs later
    clock = 1_001_901; expect(hit().admitted).toBe(false);
  });

  it('holds the property for every interval of a random schedule', () => {
    const admitted: number[] = [];
    let t = 0;
    for (let i = 0; i < 2000; i++) {
      t += Math.floor(Math.random() * 120);
      clock = t;
      if (store.consume([{ key: 'p', limit: 5, windowMs: 1000 }]).admitted) admitted.push(t);
    }
    for (let i = 0; i + 5 < admitted.length; i++) expect(admitted[i + 5] - admitted[i]).toBeGreaterThanOrEqual(1000);
    expect(admitted.length).toBeGreaterThan(50);
  });

  it('holds the property for long logs too (a high limit on a busy key, compacted lazily)', () => {
    const admitted: number[] = [];
    let oldestLive = 0; // index into admitted of the first entry still inside the window
    let t = 0;
    const busy = () => store.consume([{ key: 'busy', limit: 300, windowMs: 1000 }]);
    for (let i = 0; i < 20_000; i++) {
      t += Math.floor(Math.random() * 3);
      clock = t;
      while (oldestLive < admitted.length && admitted[oldestLive] <= t - 1000) oldestLive++;
      const decision = busy();
      if (decision.admitted) {
        admitted.push(t);
        expect(decision.results[0].remaining).toBe(300 - (admitted.length - oldestLive));
      } else {
        expect(decision.results[0]).toMatchObject({ allowed: false, remaining: 0 });
      }
      if (i % 5000 === 4999) store.sweep();
    }
    for (let i = 0; i + 300 < admitted.length; i++) expect(admitted[i + 300] - admitted[i]).toBeGreaterThanOrEqual(1000);
    expect(admitted.length).toBeGreaterThan(3000);
    // Fill the window at one instant; the refusal then names the moment the oldest live entry leaves it.
    while (busy().admitted) admitted.push(t);
    while (admitted[oldestLive] <= t - 1000) oldestLive++;
    expect(busy().results[0].resetMs).toBe(admitted[admitted.length - 300] + 1000 - t);
  });

  it('reports remaining and when a slot frees', () => {
    expect(hit('r', 3, 10_000).results[0]).toEqual({ allowed: true, remaining: 2, resetMs: 10_000 });
    clock += 4000;
    expect(hit('r', 3, 10_000).results[0]).toEqual({ allowed: true, remaining: 1, resetMs: 6000 });
    hit('r', 3, 10_000);
    clock += 1000;
    expect(hit('r', 3, 10_000).results[0]).toEqual({ allowed: false, remaining: 0, resetMs: 5000 });
  });

  it('is all-or-nothing over stacked hits: a refusal takes no slot anywhere', () => {
    const both = () => store.consume([{ key: 'a', limit: 3, windowMs: 1000 }, { key: 'b', limit: 1, windowMs: 1000 }]);
    expect(both().admitted).toBe(true);
    const refused = both();
    expect(refused.admitted).toBe(false);
    expect(refused.results.map((r) => r.allowed)).toEqual([true, false]);
    expect(refused.results[0].remaining).toBe(2);
    expect(store.consume([{ key: 'a', limit: 3, windowMs: 1000 }]).results[0].remaining).toBe(1);
  });

  it('release gives back exactly the reserved slot', () => {
    const first = hit('s', 1);
    expect(hit('s', 1).admitted).toBe(false);
    store.release([{ key: 's', limit: 1, windowMs: 1000 }], first.reservation as string);
    expect(hit('s', 1).admitted).toBe(true);
  });

  it('reclaims expired keys on sweep, without a timer per key', () => {
    for (let i = 0; i < 1000; i++) hit(`key-${i}`);
    expect(store.size).toBe(1000);
    clock += 999; store.sweep(); expect(store.size).toBe(1000);
    clock += 1; store.sweep(); expect(store.size).toBe(0);
  });

  it('refuses new keys when full instead of evicting live ones (which would reset a limit)', () => {
    const small = new MemoryFlowStore({ maxKeys: 2, now: () => clock });
    small.consume([{ key: 'a', limit: 1, windowMs: 1000 }]);
    small.consume([{ key: 'b', limit: 1, windowMs: 1000 }]);
    expect(() => small.consume([{ key: 'c', limit: 1, windowMs: 1000 }])).toThrow(/full/);
    expect(small.consume([{ key: 'a', limit: 1, windowMs: 1000 }]).admitted).toBe(false);
    clock += 1000;
    expect(small.consume([{ key: 'c', limit: 1, windowMs: 1000 }]).admitted).toBe(true);
    small.close();
  });

  it('keeps every live log when a full store sweeps in the middle of a check, even on a long-running process', () => {
    // Days after start the sweep also moves the store's time base; a check that sweeps must not read
    // the moved logs with the old time (every entry would look expired and a key would lose its history).
    let t = 0;
    const full = new MemoryFlowStore({ maxKeys: 2, now: () => t, sweepIntervalMs: 1e9 });
    t = 2 ** 29 + 5_000;
    const a = { key: 'a', limit: 2, windowMs: 60_000 };
    full.consume([a]);
    full.consume([{ key: 'short', limit: 1, windowMs: 10 }]);
    t += 1_000; // 'short' expired: the store is full until a sweep reclaims it
    expect(full.consume([a, { key: 'fresh', limit: 5, windowMs: 60_000 }]).admitted).toBe(true);
    // 'a' now holds two live requests: a third inside the minute is refused.
    expect(full.consume([a]).admitted).toBe(false);
    t += 60_000;
    expect(full.consume([a]).admitted).toBe(true);
    full.close();
  });
});

describe('flow keys', () => {
  it('never collide across component boundaries', () => {
    expect(flowKey('f', 'u:a:b', 'c')).not.toBe(flowKey('f', 'u:a', 'b:c'));
    expect(flowKey('f:u', 'x')).not.toBe(flowKey('f', 'u:x'));
    expect(flowKey('f', 'u:a')).not.toBe(flowKey('f', 'u:a', ''));
  });

  it('bound the size of hostile values', () => {
    const key = flowKey('f', `u:${'x'.repeat(100_000)}`, '💥'.repeat(10_000));
    expect(key.length).toBeLessThan(200);
    expect(flowKey('f', `u:${'x'.repeat(100_000)}`)).not.toBe(flowKey('f', `u:${'x'.repeat(100_001)}`));
  });
});

describe('client IP keys', () => {
  it('unmaps IPv4-mapped IPv6 and groups IPv6 by prefix', () => {
    expect(clientIpKey('::ffff:203.0.113.9', 64)).toBe('203.0.113.9');
    expect(clientIpKey('2001:db8:1:2:aaaa::1', 64)).toBe(clientIpKey('2001:db8:1:2:bbbb::2', 64));
    expect(clientIpKey('2001:db8:1:2::1', 64)).not.toBe(clientIpKey('2001:db8:1:3::1', 64));
    expect(clientIpKey('2001:db8:1:2::1', 128)).not.toBe(clientIpKey('2001:db8:1:2::2', 128));
    expect(clientIpKey(undefined, 64)).toBe('unknown');
    expect(clientIpKey('::FFFF:10.0.0.1', 64)).toBe('10.0.0.1');
    expect(clientIpKey('10.0.0.1', 64)).toBe('10.0.0.1');
    expect(clientIpKey('[not an ip]', 64)).toBe('raw:[not an ip]');
  });
});
