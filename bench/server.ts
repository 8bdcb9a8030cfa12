import { startScenario } from './scenarios.js';

/**
 * Child process: one scenario app on 127.0.0.1; prints READY once listening. Answers 'cpu' messages on
 * the IPC channel with its own CPU time (user + system, in microseconds), so the runner can report what
 * the server spent per request apart from the load generator that shares the machine.
 */
const [name, adapter, port, redisUrl, upstreamPort] = process.argv.slice(2);
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
});
startScenario(name, adapter as 'express' | 'fastify', Number(port), {
  redisUrl: redisUrl || undefined,
  upstreamPort: upstreamPort ? Number(upstreamPort) : undefined,
}).then(
  () => process.stdout.write('READY\n'),
  (error) => { console.error(error); process.exit(1); },
);
