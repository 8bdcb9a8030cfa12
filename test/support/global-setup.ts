import { spawnSync } from 'node:child_process';

/** Says loudly when the Redis suites will be skipped (each suite starts its own redis-server). */
export default async function globalSetup(): Promise<void> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.warn(
      '\n[api-shield tests] redis-server is not on PATH: the Redis store suites are SKIPPED.\n' +
        '  Enable them with: apt-get install -y redis-server (the test setup starts its own server).\n',
    );
  }
}
