import { jest } from '@jest/globals';
import { TokenService } from '../../lib/index.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { claims, forge, TEST_SECRET } from '../support/tokens.js';

describe('TokenService verified-token cache', () => {
  const service = () => new TokenService(resolveOptions({ jwt: { secret: TEST_SECRET, clockToleranceSec: 2 } }));
  afterEach(() => jest.restoreAllMocks());

  it('never serves a cached token after its exp (plus tolerance)', () => {
    const tokens = service();
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = forge(claims({ iss: undefined, aud: undefined, exp }));
    expect(tokens.verify(token).id).toBe('u1');
    jest.spyOn(Date, 'now').mockReturnValue((exp + 2) * 1000 - 1);
    expect(tokens.verify(token).id).toBe('u1');
    jest.spyOn(Date, 'now').mockReturnValue((exp + 2) * 1000);
    expect(() => tokens.verify(token)).toThrow('expired-token');
  });

  it('never serves a cached token before its nbf (minus tolerance)', () => {
    const tokens = service();
    const nbf = Math.floor(Date.now() / 1000) + 30;
    const token = forge(claims({ iss: undefined, aud: undefined, nbf }));
    jest.spyOn(Date, 'now').mockReturnValue((nbf - 2) * 1000);
    expect(tokens.verify(token).id).toBe('u1');
    jest.spyOn(Date, 'now').mockReturnValue((nbf - 2) * 1000 - 1);
    expect(() => tokens.verify(token)).toThrow('not-yet-valid');
  });

  it('caches only verified tokens: a forged twin of a cached token still fails', () => {
    const tokens = service();
    const good = forge(claims({ iss: undefined, aud: undefined, roles: ['user'] }));
    tokens.verify(good);
    const [h, , sig] = good.split('.');
    const twin = `${h}.${Buffer.from(JSON.stringify(claims({ iss: undefined, aud: undefined, roles: ['admin'] }))).toString('base64url')}.${sig}`;
    expect(() => tokens.verify(twin)).toThrow('invalid-token');
    expect(() => tokens.verify(twin)).toThrow('invalid-token');
  });

  it('hands out a frozen principal, so code that mutates it cannot grant roles to later requests', () => {
    const tokens = service();
    const token = forge(claims({ iss: undefined, aud: undefined, roles: ['user'] }));
    const first = tokens.verify(token);
    expect(() => first.roles.push('admin')).toThrow(TypeError);
    expect(() => { (first as { id: string }).id = 'someone-else'; }).toThrow(TypeError);
    expect(() => { (first.claims as Record<string, unknown>).sub = 'someone-else'; }).toThrow(TypeError);
    expect(tokens.verify(token)).toMatchObject({ id: 'u1', roles: ['user'] });
  });
});
