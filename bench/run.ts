import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { BENCH_SECRET } from './scenarios.js';

/**
 * `npm run bench`: every scenario against its baseline, interleaved, on both adapters, with autocannon
 * in this process and each app in a child process, all on 127.0.0.1. Writes bench/RESULTS.md.
 * BENCH_SECONDS (default 4) and BENCH_ROUNDS (default 3) trade time for steadier figures.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const ADAPTERS = (process.env.BENCH_ADAPTERS ?? 'express,fastify').split(',') as ('express' | 'fastify')[];
/** BENCH_ONLY=flow runs only the pairs whose scenario name contains 'flow' (for iterating; RESULTS.md is not written). */
const ONLY = process.env.BENCH_ONLY;

/** [scenario, baseline] pairs; each pair is measured side by side in every round. */
const PAIRS: [string, string][] = [
  ['empty guard', 'bare'],
  ['auth', 'bare'],
  ['auth+roles', 'bare'],
  ['auth+roles+flow(memory)', 'bare'],
  ['flow guard alone', 'ThrottlerGuard alone'],
  ['ThrottlerGuard alone', 'bare'],
  ['flow guard alone', 'bare'],
  ['auth+roles+flow(redis)', 'bare'],
  ['SafeHttpService.get', 'HttpService.get'],
  ['SafeHttpService.get', 'HttpService.get (keep-alive)'],
];

function token(): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench-user', roles: ['user'], exp: Math.floor(Date.now() / 1000) + 7200 })}`;
  return `${input}.${createHmac('sha256', BENCH_SECRET).update(input).digest('base64url')}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function child(args: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d) => { if (String(d).includes('READY')) resolve(); });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
  return proc;
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  await new Promise((resolve) => { proc.once('exit', resolve); proc.kill('SIGKILL'); });
}

interface Sample { rps: number; p99: number }

async function measure(scenario: string, adapter: string, env: { redisUrl?: string; upstreamPort?: number }): Promise<Sample> {
  const port = await freePort();
  const server = await child(['dist-bench/bench/server.js', scenario, adapter, String(port), env.redisUrl ?? '', String(env.upstreamPort ?? '')]);
  try {
    const url = `http://127.0.0.1:${port}/r`;
    const headers = { authorization: `Bearer ${token()}`, 'user-agent': 'Mozilla/5.0 bench' };
    await autocannon({ url, connections: CONNECTIONS, duration: 1, headers }); // warm-up
    const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${scenario}/${adapter}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, p99: result.latency.p99 };
  } finally {
    await stop(server);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function redisRoundTrips(redisUrl: string, adapter: string): Promise<number> {
  const port = await freePort();
  const server = await child(['dist-bench/bench/server.js', 'auth+roles+flow(redis)', adapter, String(port), redisUrl, '']);
  try {
    // Commands a script runs inside Redis are counted too, so count what clients send: EVAL/EVALSHA and
    // anything that is not one of the flow script's own commands.
    const inner = new Set(['zremrangebyscore', 'zcard', 'zadd', 'pexpire', 'zrange', 'time', 'zrem', 'info']);
    const info = () => spawnSync('redis-cli', ['-u', redisUrl, 'INFO', 'commandstats'], { encoding: 'utf8' }).stdout;
    const calls = (text: string) => [...text.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)]
      .filter((m) => !inner.has(m[1]))
      .reduce((sum, m) => sum + Number(m[2]), 0);
    const before = calls(info());
    const result = await autocannon({ url: `http://127.0.0.1:${port}/r`, connections: 8, amount: 2000, headers: { authorization: `Bearer ${token()}` } });
    const after = calls(info());
    return (after - before) / result.requests.total;
  } finally {
    await stop(server);
  }
}

async function main() {
  let redis: ChildProcess | undefined;
  let redisUrl: string | undefined;
  if (spawnSync('redis-server', ['--version']).status === 0) {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const upstreamPort = await freePort();
  const upstream = await child(['dist-bench/bench/upstream.js', String(upstreamPort)]);
  const env = { redisUrl, upstreamPort };
  const lines: string[] = [];
  const summary: Record<string, Record<string, number>> = {};
  try {
    for (const adapter of ADAPTERS) {
      lines.push(`\n### ${adapter}\n`, '| scenario | baseline | scenario req/s | baseline req/s | ratio | scenario p99 ms | baseline p99 ms |', '|---|---|---|---|---|---|---|');
      for (const [scenario, baseline] of PAIRS) {
        if (scenario.includes('redis') && !redisUrl) continue;
        if (ONLY && !scenario.includes(ONLY)) continue;
        const a: Sample[] = [];
        const b: Sample[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate which runs first, so drift favours neither.
          if (round % 2 === 0) { b.push(await measure(baseline, adapter, env)); a.push(await measure(scenario, adapter, env)); }
          else { a.push(await measure(scenario, adapter, env)); b.push(await measure(baseline, adapter, env)); }
        }
        const ratios = a.map((s, i) => s.rps / b[i].rps);
        const row = [scenario, baseline, median(a.map((s) => s.rps)).toFixed(0), median(b.map((s) => s.rps)).toFixed(0),
          median(ratios).toFixed(2), median(a.map((s) => s.p99)).toFixed(1), median(b.map((s) => s.p99)).toFixed(1)];
        lines.push(`| ${row.join(' | ')} |`);
        console.log(`[${adapter}] ${scenario} vs ${baseline}: ratio ${row[4]} (${row[2]} vs ${row[3]} req/s)`);
        (summary[adapter] ??= {})[`${scenario} / ${baseline}`] = Number(row[4]);
      }
      if (redisUrl) {
        const trips = await redisRoundTrips(redisUrl, adapter);
        lines.push('', `Redis commands per request (auth+roles+flow on Redis, INFO commandstats over 2000 requests): **${trips.toFixed(2)}**`);
        console.log(`[${adapter}] redis commands per request: ${trips.toFixed(2)}`);
      }
    }
  } finally {
    await stop(upstream);
    if (redis) await stop(redis);
  }
  const header = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
    `Command: \`npm run bench\` (BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}, ${CONNECTIONS} connections, autocannon in the parent process, each app in its own process, all on 127.0.0.1).`,
    'Each row is the median over the rounds; scenario and baseline alternate order every round. Ratio = scenario req/s / baseline req/s, median of per-round ratios.',
  ].join('\n');
  if (ONLY) return;
  writeFileSync('bench/results.latest.md', `${header}\n${lines.join('\n')}\n`);
  writeFileSync('bench/results.latest.json', JSON.stringify(summary, null, 2));
  console.log('written to bench/results.latest.md');
}

void main();
