import net from 'node:net';
import { firstValueFrom } from 'rxjs';
import { SafeHttpClient, SsrfBlockedException, type SafeHttpPolicy } from '../../lib/index.js';
import { resolveHttpPolicy } from '../../lib/http/resolve-http-policy.js';

/** Resolver stub: names map to fixed answers; anything else fails like NXDOMAIN. Records every call. */
export function stubDns(table: Record<string, string[] | (() => string[])>) {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const entry = table[hostname];
    const answer = typeof entry === 'function' ? entry() : entry;
    if (!answer) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer.map((address) => ({ address, family: (net.isIPv6(address) ? 6 : 4) as 4 | 6 }));
  };
  return { lookup, calls };
}

export function client(policy: SafeHttpPolicy): SafeHttpClient {
  return new SafeHttpClient(resolveHttpPolicy(policy));
}

/** Counts socket connects made while `fn` runs (the loopback-only safety net still applies). */
export async function countConnects<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; connects: number }> {
  const proto = net.Socket.prototype as any;
  const original = proto.connect;
  let connects = 0;
  proto.connect = function counted(this: net.Socket, ...args: unknown[]) {
    connects++;
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), connects };
  } catch (error) {
    return { error, connects };
  } finally {
    proto.connect = original;
  }
}

export async function blockReason(c: SafeHttpClient, url: string, config: Record<string, unknown> = {}): Promise<{ reason?: string; status?: number; connects: number; error?: unknown }> {
  const { error, connects } = await countConnects(() => firstValueFrom(c.get(url, config)));
  if (error instanceof SsrfBlockedException) return { reason: error.reason, status: error.getStatus(), connects };
  return { connects, error };
}
