import { startScenario } from './scenarios.js';

/** Child process: one scenario app on 127.0.0.1; prints READY once listening. */
const [name, adapter, port, redisUrl, upstreamPort] = process.argv.slice(2);
startScenario(name, adapter as 'express' | 'fastify', Number(port), {
  redisUrl: redisUrl || undefined,
  upstreamPort: upstreamPort ? Number(upstreamPort) : undefined,
}).then(
  () => process.stdout.write('READY\n'),
  (error) => { console.error(error); process.exit(1); },
);
