import type { SafeHttpPolicy } from '../interfaces/safe-http-policy.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { AddressPolicy } from './address-policy.js';
import { HostAllowlist } from './host-allowlist.js';
import type { ResolvedHttpPolicy } from './resolved-http-policy.interface.js';

const PROTOCOLS = new Set(['http:', 'https:']);

function positiveInt(value: unknown, option: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ShieldConfigurationError(`${option} must be a whole number >= ${min}`);
  }
  return value;
}

export function resolveHttpPolicy(policy: SafeHttpPolicy = {}): ResolvedHttpPolicy {
  if (policy === null || typeof policy !== 'object') throw new ShieldConfigurationError('http must be an object');
  const protocols = policy.allowedProtocols ?? ['https:'];
  if (!Array.isArray(protocols) || protocols.length === 0 || protocols.some((p) => !PROTOCOLS.has(p))) {
    throw new ShieldConfigurationError("http.allowedProtocols must be a non-empty subset of ['https:', 'http:']");
  }
  let allowedPorts: ResolvedHttpPolicy['allowedPorts'] = 'default';
  if (policy.allowedPorts === 'any') allowedPorts = 'any';
  else if (policy.allowedPorts !== undefined) {
    if (!Array.isArray(policy.allowedPorts) || policy.allowedPorts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
      throw new ShieldConfigurationError("http.allowedPorts must be an array of ports 1-65535 or 'any'");
    }
    allowedPorts = new Set(policy.allowedPorts);
  }
  if (policy.dnsLookup !== undefined && typeof policy.dnsLookup !== 'function') {
    throw new ShieldConfigurationError('http.dnsLookup must be a function (hostname) => Promise<{ address, family }[]>');
  }
  if (policy.blockPrivateNetworks !== undefined && typeof policy.blockPrivateNetworks !== 'boolean') {
    throw new ShieldConfigurationError('http.blockPrivateNetworks must be a boolean');
  }
  return {
    hosts: new HostAllowlist(policy.allowedHosts ?? []),
    allowedProtocols: new Set(protocols),
    allowedPorts,
    addresses: new AddressPolicy(policy.allowedCidrs ?? [], policy.blockPrivateNetworks ?? true),
    maxRedirects: positiveInt(policy.maxRedirects, 'http.maxRedirects', 3, 0),
    timeoutMs: positiveInt(policy.timeoutMs, 'http.timeoutMs', 10_000),
    maxResponseBytes: positiveInt(policy.maxResponseBytes, 'http.maxResponseBytes', 10 * 1024 * 1024),
    dnsLookup: policy.dnsLookup,
  };
}
