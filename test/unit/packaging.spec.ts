import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CONTRACT_NAMES = [
  'ApiShieldModule', 'Public', 'Roles', 'SensitiveFlow', 'CurrentUser',
  'SafeHttpService', 'TokenService', 'RouteInventoryService',
  'SsrfBlockedException', 'UnsafeResponseException', 'FlowStore',
  'ShieldAuthGuard', 'RolesGuard', 'SensitiveFlowGuard',
];

describe('the published package', () => {
  it('declares an ESM entry with an exports map into dist/', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.name).toBe('nestjs-api-shield');
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    for (const peer of ['@nestjs/common', '@nestjs/core', 'rxjs', 'reflect-metadata', 'axios']) {
      expect(pkg.peerDependencies).toHaveProperty([peer]);
    }
  });

  it('loads from dist/ in a plain Node process (by its own name) and exports every name of the contract', () => {
    const script = `import('nestjs-api-shield').then((m) => console.log(JSON.stringify(Object.keys(m))))`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import 'reflect-metadata'; ${script}`], { encoding: 'utf8' });
    const names: string[] = JSON.parse(out.trim());
    for (const name of CONTRACT_NAMES) expect(names).toContain(name);
  });
});
