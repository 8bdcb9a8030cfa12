import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { BENCH_SECRET } from './scenarios.js';

/**
 * `npm run bench`: every scenario against its baseline on both adapters, with autocannon in this process
 * and each app in a child process, all on 127.0.0.1. Both apps of a pair run for the whole comparison and
 * are loaded in turn, in short bursts whose order alternates, so a machine that speeds up or slows down
 * (shared cloud cores do) moves both sides alike. Writes bench/RESULTS.md (with the memory and Redis
 * figures `npm run bench` measured just before) and bench/results.latest.json.
 * BENCH_SECONDS (burst length, default 1) and BENCH_ROUNDS (bursts per side, default 12) trade time for
 * steadier figures.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const CONNECTIONS = 32;
const ADAPTERS = (process.env.BENCH_ADAPTERS ?? 'express,fastify').split(',') as ('express' | 'fastify')[];
/** BENCH_ONLY=flow runs only the pairs whose scenario name contains 'flow' (for iterating; nothing is written). */
const ONLY = process.env.BENCH_ONLY;

/** [scenario, baseline] pairs; each pair is measured side by side in every round. */
const PAIRS: [string, string][] = [
  ['empty guard', 'bare'],
  ['auth', 'bare'],
  ['auth+roles', 'bare'],
  ['auth+roles+flow(memory)', 'bare'],
  ['auth+roles+flow(memory), no RateLimit headers', 'bare'],
  ['flow guard alone', 'ThrottlerGuard alone'],
  ['flow guard alone, no RateLimit headers', 'ThrottlerGuard alone'],
  ['empty guard', 'ThrottlerGuard alone'],
  ['ThrottlerGuard alone', 'bare'],
  ['flow guard alone', 'bare'],
  ['auth+roles+flow(redis)', 'bare'],
  ['SafeHttpService.get', 'HttpService.get'],
  ['SafeHttpService.get', 'HttpService.get (keep-alive)'],
];

/** The issue's targets, as ratios of one pair measured in the same run. */
const TARGETS: { pair: string; min: number; what: string }[] = [
  { pair: 'auth+roles / bare', min: 0.85, what: 'auth + roles' },
  { pair: 'auth+roles+flow(memory) / bare', min: 0.75, what: 'auth + roles + one memory flow' },
  { pair: 'flow guard alone / ThrottlerGuard alone', min: 1.3, what: 'flow guard vs ThrottlerGuard' },
  { pair: 'SafeHttpService.get / HttpService.get', min: 0.9, what: 'SafeHttpService vs HttpService' },
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
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d) => { if (String(d).includes('READY')) resolve(); });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
  return proc;
}

/** CPU time (µs) the child has used so far, asked over IPC. */
function cpuOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    proc.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
    proc.send('cpu');
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  await new Promise((resolve) => { proc.once('exit', resolve); proc.kill('SIGKILL'); });
}

interface Sample { rps: number; p99: number; serverCpuUs: number }

interface App { proc: ChildProcess; url: string }

const HEADERS = () => ({ authorization: `Bearer ${token()}`, 'user-agent': 'Mozilla/5.0 bench' });

async function startApp(scenario: string, adapter: string, env: { redisUrl?: string; upstreamPort?: number }): Promise<App> {
  const port = await freePort();
  const proc = await child(['dist-bench/bench/server.js', scenario, adapter, String(port), env.redisUrl ?? '', String(env.upstreamPort ?? '')]);
  const url = `http://127.0.0.1:${port}/r`;
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers: HEADERS() }); // warm-up
  return { proc, url };
}

/** One burst of load on one app, with the server's own CPU time over it. */
async function burst(app: App, label: string): Promise<Sample> {
  const cpuBefore = await cpuOf(app.proc);
  const result = await autocannon({ url: app.url, connections: CONNECTIONS, duration: SECONDS, headers: HEADERS() });
  const cpuAfter = await cpuOf(app.proc);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, serverCpuUs: (cpuAfter - cpuBefore) / result.requests.total };
}

/** Scenario and baseline side by side: both running, loaded in alternating bursts. */
async function compare(scenario: string, baseline: string, adapter: string, env: { redisUrl?: string; upstreamPort?: number }): Promise<{ a: Sample[]; b: Sample[] }> {
  const appA = await startApp(scenario, adapter, env);
  const appB = await startApp(baseline, adapter, env);
  const a: Sample[] = [];
  const b: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) { b.push(await burst(appB, baseline)); a.push(await burst(appA, scenario)); }
      else { a.push(await burst(appA, scenario)); b.push(await burst(appB, baseline)); }
    }
  } finally {
    await stop(appA.proc);
    await stop(appB.proc);
  }
  return { a, b };
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

function readJson(path: string): any {
  try {
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  } catch {
    return undefined;
  }
}

function targetsSection(summary: Record<string, Record<string, number>>, trips: Record<string, number>, memory: any): string[] {
  const rows = ['| target | ' + ADAPTERS.join(' | ') + ' |', '|---|' + ADAPTERS.map(() => '---|').join('')];
  const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
  for (const t of TARGETS) {
    rows.push(`| ${t.what} >= ${t.min} | ${ADAPTERS.map((a) => {
      const v = summary[a]?.[t.pair];
      return v === undefined ? 'n/a' : `${v.toFixed(2)} (${mark(v >= t.min)})`;
    }).join(' | ')} |`);
  }
  // What no guard can beat: a guard that does nothing, measured against ThrottlerGuard in this run.
  rows.push(`| (ceiling of any guard vs ThrottlerGuard: empty guard / ThrottlerGuard) | ${ADAPTERS.map((a) => summary[a]?.['empty guard / ThrottlerGuard alone']?.toFixed(2) ?? 'n/a').join(' | ')} |`);
  rows.push(`| Redis: one round trip per request | ${ADAPTERS.map((a) => (trips[a] === undefined ? 'n/a (no redis-server)' : `${trips[a].toFixed(2)} (${mark(Math.abs(trips[a] - 1) < 0.01)})`)).join(' | ')} |`);
  if (memory?.bytesPerKey !== undefined) {
    const back = memory.heapAfterExpiryMiB - memory.heapStartMiB;
    rows.push(`| memory store < 250 bytes per key (limit 3, 1e6 keys) | ${memory.bytesPerKey} B (${mark(memory.bytesPerKey < 250)}) |${ADAPTERS.slice(1).map(() => ' |').join('')}`);
    rows.push(`| memory back near the start once windows expire | +${back.toFixed(1)} MiB over the start, ${memory.liveKeysAfterSweep} keys left (${mark(back < 5 && memory.liveKeysAfterSweep === 0)}) |${ADAPTERS.slice(1).map(() => ' |').join('')}`);
  }
  return rows;
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
  const trips: Record<string, number> = {};
  try {
    for (const adapter of ADAPTERS) {
      lines.push(
        `\n### ${adapter}\n`,
        '| scenario | baseline | scenario req/s | baseline req/s | ratio | scenario p99 ms | baseline p99 ms | server CPU µs/req (scenario / baseline) |',
        '|---|---|---|---|---|---|---|---|',
      );
      for (const [scenario, baseline] of PAIRS) {
        if (scenario.includes('redis') && !redisUrl) continue;
        if (ONLY && !scenario.includes(ONLY)) continue;
        const { a, b } = await compare(scenario, baseline, adapter, env);
        const ratio = median(a.map((s, i) => s.rps / b[i].rps));
        const cpu = `${median(a.map((s) => s.serverCpuUs)).toFixed(0)} / ${median(b.map((s) => s.serverCpuUs)).toFixed(0)}`;
        const row = [scenario, baseline, median(a.map((s) => s.rps)).toFixed(0), median(b.map((s) => s.rps)).toFixed(0),
          ratio.toFixed(2), median(a.map((s) => s.p99)).toFixed(1), median(b.map((s) => s.p99)).toFixed(1), cpu];
        lines.push(`| ${row.join(' | ')} |`);
        console.log(`[${adapter}] ${scenario} vs ${baseline}: ratio ${row[4]} (${row[2]} vs ${row[3]} req/s; server CPU µs/req ${cpu})`);
        (summary[adapter] ??= {})[`${scenario} / ${baseline}`] = Number(ratio.toFixed(2));
      }
      if (redisUrl && !ONLY) {
        trips[adapter] = await redisRoundTrips(redisUrl, adapter);
        lines.push('', `Redis commands sent per request (auth+roles+flow on Redis, INFO commandstats over 2000 requests): **${trips[adapter].toFixed(2)}**`);
        console.log(`[${adapter}] redis commands per request: ${trips[adapter].toFixed(2)}`);
      }
    }
  } finally {
    await stop(upstream);
    if (redis) await stop(redis);
  }
  if (ONLY) return;

  const memory = readJson('bench/memory.latest.json');
  const redisProfile = readJson('bench/redis-profile.latest.json');
  const note = existsSync('bench/PROFILE.md') ? readFileSync('bench/PROFILE.md', 'utf8').trim() : '';
  const cpu = os.cpus();
  const doc = [
    '# Benchmarks',
    '',
    '_Written by `npm run bench`; do not edit by hand (the profile note comes from `bench/PROFILE.md`)._',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu.length} cores (${cpu[0]?.model?.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
    `Command: \`npm run bench\` (BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}, ${CONNECTIONS} connections, autocannon in the runner process, each app in its own process, all on 127.0.0.1).`,
    `Each scenario runs beside its baseline; the two are loaded in turn, ${ROUNDS} bursts of ${SECONDS} s each, the order alternating, so drift of the machine moves both alike. Figures are medians over the bursts; the ratio is the median of the per-round ratios (scenario req/s / baseline req/s).`,
    'Server CPU is the app process\'s own user + system time per request, so it shows what a scenario costs the server apart from autocannon, which shares the two cores.',
    '',
    '## Targets',
    '',
    ...targetsSection(summary, trips, memory),
    '',
    '## Throughput',
    ...lines,
    '',
    '## Memory store',
    '',
    memory ? `\`node --expose-gc dist-bench/bench/memory.js\`: ${memory.keys.toLocaleString('en')} distinct keys, ${memory.hitsPerKey} hits each (a limit-3 flow): **${memory.bytesPerKey} bytes per key**; heap ${memory.heapStartMiB} MiB at the start, ${memory.heapFullMiB} MiB full, ${memory.heapAfterExpiryMiB} MiB once the windows expired and the sweep ran (${memory.liveKeysAfterSweep} keys left). No timer per key: one unref'd sweep for the store.` : '_not measured_',
    '',
    '## Redis store: where a check\'s time goes',
    '',
    redisProfile && !redisProfile.skipped
      ? ['| case | sequential round trip µs | µs inside Redis per script |', '|---|---|---|',
        ...Object.entries(redisProfile).map(([k, v]: [string, any]) => `| ${k} | ${v.sequentialRoundTripUs} | ${v.usecInsideRedisPerScript} |`)].join('\n')
      : '_not measured (no redis-server)_',
    '',
    ...(note ? ['## Profile note', '', note, ''] : []),
  ].join('\n');
  writeFileSync('bench/RESULTS.md', `${doc}\n`);
  writeFileSync('bench/results.latest.json', JSON.stringify({ summary, redisCommandsPerRequest: trips }, null, 2));
  console.log('written to bench/RESULTS.md');
}

void main();
