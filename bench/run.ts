import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { BENCH_SECRET } from './scenarios.js';

/**
 * `npm run bench`: every scenario against its baseline on both adapters, with autocannon in this process
 * and each app in a child process, all on 127.0.0.1; see `compare` for how a pair is measured. Writes
 * bench/RESULTS.md (with the memory and Redis figures `npm run bench` measured just before) and
 * bench/results.latest.json.
 * BENCH_SECONDS (burst length, default 1), BENCH_ROUNDS (bursts per pair, default 12) and BENCH_SESSIONS
 * (fresh process pairs, default 3) trade time for steadier figures.
 * On a machine with two or more cores and `taskset`, the runner (autocannon) keeps core 0 and the apps under
 * load share core 1, so the load generator never takes CPU from them; BENCH_PIN=0 turns that off.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
/** Fresh process pairs per comparison; ROUNDS is split evenly among them. */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 3);
const ROUNDS_PER_SESSION = Math.max(1, Math.round(ROUNDS / SESSIONS));
const CONNECTIONS = 32;
const ADAPTERS = (process.env.BENCH_ADAPTERS ?? 'express,fastify').split(',') as ('express' | 'fastify')[];
const PIN = process.env.BENCH_PIN !== '0' && os.cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
/** BENCH_ONLY=flow runs only the pairs whose scenario name contains 'flow' (for iterating; nothing is written). */
const ONLY = process.env.BENCH_ONLY;

/** [scenario, baseline] pairs; each pair is measured side by side in every round. */
const PAIRS: [string, string][] = [
  // The same app twice: how far from 1.00 noise alone moves a ratio in this run.
  ['bare', 'bare'],
  ['empty guard', 'bare'],
  ['auth', 'bare'],
  ['auth+roles', 'bare'],
  ['auth+roles+flow(memory)', 'bare'],
  ['auth+roles+flow(memory), no RateLimit headers', 'bare'],
  ['flow guard alone', 'ThrottlerGuard alone'],
  ['flow guard alone, no RateLimit headers', 'ThrottlerGuard alone'],
  ['empty guard', 'ThrottlerGuard alone'],
  ['guard reading req.ip', 'ThrottlerGuard alone'],
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

/** An app under load runs on core 1 when pinning (see PIN); helpers (upstream, Redis) float. */
async function child(args: string[], pinned = false): Promise<ChildProcess> {
  const options: SpawnOptions = { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] };
  const proc = pinned && PIN
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
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

/** `cores`: the app's CPU time over the burst's wall time. */
interface Sample { rps: number; p99: number; serverCpuUs: number; cores: number }

interface App { proc: ChildProcess; url: string }

const HEADERS = () => ({ authorization: `Bearer ${token()}`, 'user-agent': 'Mozilla/5.0 bench' });

async function startApp(scenario: string, adapter: string, env: { redisUrl?: string; upstreamPort?: number }): Promise<App> {
  const port = await freePort();
  const proc = await child(['dist-bench/bench/server.js', scenario, adapter, String(port), env.redisUrl ?? '', String(env.upstreamPort ?? '')], true);
  const url = `http://127.0.0.1:${port}/r`;
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers: HEADERS() }); // warm-up
  return { proc, url };
}

/** Load on one app for one burst, with the server's own CPU time over it. */
async function load(app: App, label: string): Promise<Sample> {
  const cpuBefore = await cpuOf(app.proc);
  const result = await autocannon({ url: app.url, connections: CONNECTIONS / 2, duration: SECONDS, headers: HEADERS() });
  const cpuAfter = await cpuOf(app.proc);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuUs = cpuAfter - cpuBefore;
  return { rps: result.requests.average, p99: result.latency.p99, serverCpuUs: cpuUs / result.requests.total, cores: cpuUs / 1e6 / SECONDS };
}

/**
 * Scenario and baseline side by side, in the strict sense: both apps are loaded at the same time, on the same
 * core when pinning, so each gets the same share of the CPU and whatever the machine does at that moment
 * (shared cloud cores speed up and slow down by tens of percent from one second to the next) hits both
 * alike. Their throughputs then stand in the inverse ratio of what a request costs each. The pair is started
 * afresh for each session, in alternating order, because one process of the same app can run a few percent
 * faster than another for its whole life (where it landed in memory and cache); fresh pairs average that out.
 */
async function compare(scenario: string, baseline: string, adapter: string, env: { redisUrl?: string; upstreamPort?: number }): Promise<{ a: Sample[]; b: Sample[] }> {
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let session = 0; session < SESSIONS; session++) {
    const first = await startApp(session % 2 === 0 ? scenario : baseline, adapter, env);
    const second = await startApp(session % 2 === 0 ? baseline : scenario, adapter, env).catch(async (error) => {
      await stop(first.proc);
      throw error;
    });
    const [appA, appB] = session % 2 === 0 ? [first, second] : [second, first];
    try {
      for (let round = 0; round < ROUNDS_PER_SESSION; round++) {
        const [sa, sb] = await Promise.all([load(appA, scenario), load(appB, baseline)]);
        a.push(sa);
        b.push(sb);
      }
    } finally {
      await stop(appA.proc);
      await stop(appB.proc);
    }
  }
  return { a, b };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs: number[]) => quantile(xs, 0.5);

async function redisRoundTrips(redisUrl: string, adapter: string): Promise<number> {
  const port = await freePort();
  const server = await child(['dist-bench/bench/server.js', 'auth+roles+flow(redis)', adapter, String(port), redisUrl, ''], true);
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
  rows.push(`| (ceiling of any per-IP limiter: a guard that only reads req.ip / ThrottlerGuard) | ${ADAPTERS.map((a) => summary[a]?.['guard reading req.ip / ThrottlerGuard alone']?.toFixed(2) ?? 'n/a').join(' | ')} |`);
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
  // The load generator keeps core 0 (the apps under load are started on core 1).
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
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
        '| scenario | baseline | scenario req/s | baseline req/s | ratio | middle half of the rounds\' ratios | scenario p99 ms | baseline p99 ms | server CPU µs/req (scenario / baseline) | CPU the pair used (cores) |',
        '|---|---|---|---|---|---|---|---|---|---|',
      );
      for (const [scenario, baseline] of PAIRS) {
        if (scenario.includes('redis') && !redisUrl) continue;
        if (ONLY && !scenario.includes(ONLY)) continue;
        const { a, b } = await compare(scenario, baseline, adapter, env);
        const ratios = a.map((s, i) => s.rps / b[i].rps);
        const ratio = median(ratios);
        const spread = `${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)}`;
        const cpu = `${median(a.map((s) => s.serverCpuUs)).toFixed(0)} / ${median(b.map((s) => s.serverCpuUs)).toFixed(0)}`;
        const cores = median(a.map((s, i) => s.cores + b[i].cores)).toFixed(2);
        const row = [scenario, baseline, median(a.map((s) => s.rps)).toFixed(0), median(b.map((s) => s.rps)).toFixed(0),
          ratio.toFixed(2), spread, median(a.map((s) => s.p99)).toFixed(1), median(b.map((s) => s.p99)).toFixed(1), cpu, cores];
        lines.push(`| ${row.join(' | ')} |`);
        console.log(`[${adapter}] ${scenario} vs ${baseline}: ratio ${row[4]} [${spread}] (${row[2]} vs ${row[3]} req/s; server CPU µs/req ${cpu}; ${cores} cores)`);
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
    `Command: \`npm run bench\` (BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}, ${CONNECTIONS} connections, autocannon in the runner process, each app in its own process, all on 127.0.0.1${PIN ? '; the runner pinned to core 0, the apps under load to core 1' : ''}).`,
    `Each scenario runs beside its baseline: both apps are loaded at the same time (${CONNECTIONS / 2} connections each)${PIN ? ' and share one core' : ''}, so each gets the same share of the CPU and whatever the machine does at that moment hits both alike; their req/s then stand in the inverse ratio of what a request costs each. ${ROUNDS} bursts of ${SECONDS} s, in ${SESSIONS} sessions with freshly started apps. Figures are medians over the bursts; the ratio is the median of the per-burst ratios (scenario req/s / baseline req/s), beside the middle half of them.`,
    `Req/s are therefore each app's throughput on half a core${PIN ? '' : ' (of what the load generator leaves)'}. Server CPU is the app process's own user + system time per request. "CPU the pair used" near ${PIN ? '1.00 shows the apps, not the load generator, were the bound' : 'the cores left by the load generator shows the apps were the bound'}; a ratio measured below that would understate the difference.`,
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
