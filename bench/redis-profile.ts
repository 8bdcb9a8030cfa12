import { spawn, spawnSync } from 'node:child_process';
import { RedisFlowStore } from '../lib/flows/redis-flow.store.js';

/**
 * Where the time of a Redis-backed flow check goes: client round trip (sequential, so no pipelining hides it)
 * against the time Redis spends inside the script (INFO commandstats usec_per_call). Run by `npm run bench`.
 */
async function main() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log(JSON.stringify({ skipped: 'redis-server is not on PATH' }));
    return;
  }
  const port = 6390 + Math.floor(Math.random() * 100);
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 400));
  const url = `redis://127.0.0.1:${port}`;
  const store = new RedisFlowStore({ redis: url, prefix: 'profile:' });
  await store.init();
  const cases: Record<string, (i: number) => { key: string; limit: number; windowMs: number }[]> = {
    'one hot key, log of ~1 s of traffic (the throughput benchmark)': () => [{ key: 'hot', limit: 1_000_000, windowMs: 1_000 }],
    '1000 users, limit 5 per 10 min (a business flow)': (i) => [{ key: `user-${i % 1000}`, limit: 5, windowMs: 600_000 }],
  };
  const report: Record<string, unknown> = {};
  for (const [name, hitsFor] of Object.entries(cases)) {
    for (let i = 0; i < 2000; i++) await store.consume(hitsFor(i));
    spawnSync('redis-cli', ['-p', String(port), 'CONFIG', 'RESETSTAT']);
    const n = 10_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await store.consume(hitsFor(i));
    const roundTripUs = Number(process.hrtime.bigint() - start) / n / 1000;
    const stats = spawnSync('redis-cli', ['-p', String(port), 'INFO', 'commandstats'], { encoding: 'utf8' }).stdout;
    const evalsha = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
    report[name] = { sequentialRoundTripUs: +roundTripUs.toFixed(1), scriptCalls: Number(evalsha?.[1]), usecInsideRedisPerScript: Number(evalsha?.[3]) };
  }
  console.log(JSON.stringify(report, null, 2));
  await store.close();
  server.kill('SIGKILL');
}

void main();
