import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { DnsLookup, ResolvedAddress } from '../interfaces/safe-http-policy.interface.js';
import type { AddressPolicy } from './address-policy.js';
import { SsrfBlockedException } from './ssrf-blocked.exception.js';

const systemLookup: DnsLookup = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })) as ResolvedAddress[];

/**
 * The `lookup` of the service's agents: the socket connects to the very address checked here, so a DNS
 * answer that changes between check and connect (rebinding) cannot move the connection. One blocked
 * address in an answer refuses the whole name.
 */
export function guardedLookup(addresses: AddressPolicy, resolver: DnsLookup = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    const family = typeof options === 'object' && options !== null ? (options as { family?: number }).family : undefined;
    resolveChecked(hostname, addresses, resolver).then(
      (found) => {
        const usable = family === 4 || family === 6 ? found.filter((a) => a.family === family) : found;
        if (usable.length === 0) return callback(Object.assign(new Error(`no address for host`), { code: 'ENOTFOUND' }), '', 4);
        if (all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (error) => callback(error, '', 4),
    );
  };
}

async function resolveChecked(hostname: string, addresses: AddressPolicy, resolver: DnsLookup): Promise<ResolvedAddress[]> {
  let answer: unknown;
  try {
    answer = await resolver(hostname);
  } catch (error) {
    throw Object.assign(new Error('name resolution failed'), { code: (error as { code?: string })?.code ?? 'ENOTFOUND' });
  }
  const list = Array.isArray(answer) ? answer : [];
  if (list.length === 0) throw Object.assign(new Error('name resolution failed'), { code: 'ENOTFOUND' });
  const checked: ResolvedAddress[] = [];
  for (const entry of list) {
    const address = typeof entry?.address === 'string' ? entry.address : '';
    const version = isIP(address);
    if (version === 0 || !addresses.isAllowed(address)) throw new SsrfBlockedException('address-not-allowed');
    checked.push({ address, family: version as 4 | 6 });
  }
  return checked;
}
