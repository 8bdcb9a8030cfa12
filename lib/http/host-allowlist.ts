import { domainToASCII } from 'node:url';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';

/** Lower-case ASCII (punycode) form without a trailing dot; '' when the name cannot be converted. */
export function normalizeHostname(host: string): string {
  const withoutDot = host.endsWith('.') ? host.slice(0, -1) : host;
  return domainToASCII(withoutDot).toLowerCase();
}

/**
 * Exact names and `*.example.com` wildcards. A wildcard matches any name below the suffix on a label
 * boundary (`a.example.com`, `a.b.example.com`), never the suffix itself nor `evilexample.com`.
 * An empty list allows every host (the address checks still apply).
 */
export class HostAllowlist {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(readonly patterns: readonly string[] = []) {
    if (!Array.isArray(patterns)) throw new ShieldConfigurationError('http.allowedHosts must be an array of host names');
    for (const pattern of patterns) {
      if (typeof pattern !== 'string' || pattern.length === 0) {
        throw new ShieldConfigurationError(`http.allowedHosts: invalid entry ${JSON.stringify(pattern)}`);
      }
      const wildcard = pattern.startsWith('*.');
      const name = normalizeHostname(wildcard ? pattern.slice(2) : pattern);
      if (!name || name.includes('*') || name.includes('/') || name.includes(':')) {
        throw new ShieldConfigurationError(`http.allowedHosts: invalid entry ${JSON.stringify(pattern)} (use 'host.name' or '*.host.name')`);
      }
      if (wildcard) this.suffixes.push(`.${name}`);
      else this.exact.add(name);
    }
  }

  get allowsAny(): boolean {
    return this.exact.size === 0 && this.suffixes.length === 0;
  }

  /** `host` must already be normalised (the WHATWG URL parser's hostname, trailing dot removed). */
  allows(host: string): boolean {
    if (this.allowsAny) return true;
    if (this.exact.has(host)) return true;
    return this.suffixes.some((suffix) => host.length > suffix.length && host.endsWith(suffix));
  }

  /** A narrower list may only keep hosts this one allows. */
  narrowedTo(patterns: readonly string[]): HostAllowlist {
    const narrower = new HostAllowlist(patterns);
    if (narrower.allowsAny) return this;
    for (const pattern of patterns) {
      const sample = pattern.startsWith('*.') ? `x${pattern.slice(1)}` : pattern;
      if (!this.allows(normalizeHostname(sample))) {
        throw new ShieldConfigurationError(`http.allowedHosts: '${pattern}' is wider than the module's policy`);
      }
    }
    return narrower;
  }
}
