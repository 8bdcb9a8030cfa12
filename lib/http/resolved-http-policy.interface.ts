import type { DnsLookup } from '../interfaces/safe-http-policy.interface.js';
import type { HostAllowlist } from './host-allowlist.js';
import type { AddressPolicy } from './address-policy.js';

export interface ResolvedHttpPolicy {
  hosts: HostAllowlist;
  allowedProtocols: ReadonlySet<string>;
  /** 'default': only the protocol's default port. */
  allowedPorts: ReadonlySet<number> | 'any' | 'default';
  addresses: AddressPolicy;
  maxRedirects: number;
  timeoutMs: number;
  maxResponseBytes: number;
  dnsLookup?: DnsLookup;
}
