import { isIP } from 'node:net';
import { normalizeHostname } from './host-allowlist.js';
import type { ResolvedHttpPolicy } from './resolved-http-policy.interface.js';
import { SsrfBlockedException } from './ssrf-blocked.exception.js';

const MAX_URL_LENGTH = 8192;
/** Control characters, whitespace and backslashes: the WHATWG parser would silently rewrite them. */
const SMUGGLING = /[\u0000-\u0020\u007f-\u00a0\\\u1680\u180e\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

export interface CheckedUrl {
  url: URL;
  /** Lower-case ASCII host without brackets or trailing dot. */
  host: string;
  /** Set when the host is an IP literal (already checked against the address policy). */
  literal?: string;
}

/** Scheme and host only, for events: never path, query, credentials or a resolved address. */
export function describeTarget(raw: unknown): string {
  try {
    const url = new URL(String(raw));
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparsable)';
  }
}

/**
 * Every check that needs no DNS, on the WHATWG URL parse, the same parse that decides where the socket
 * goes (the caller hands the serialised `url.href` on, never the raw string).
 */
export function checkUrl(raw: unknown, policy: ResolvedHttpPolicy, base?: URL): CheckedUrl {
  if (typeof raw !== 'string' && !(raw instanceof URL)) throw new SsrfBlockedException('invalid-url');
  const text = String(raw);
  if (text.length === 0 || text.length > MAX_URL_LENGTH || SMUGGLING.test(text)) throw new SsrfBlockedException('invalid-url');
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    throw new SsrfBlockedException('invalid-url');
  }
  if (!policy.allowedProtocols.has(url.protocol)) throw new SsrfBlockedException('protocol-not-allowed');
  if (url.username || url.password) throw new SsrfBlockedException('credentials-in-url');

  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  const ports = policy.allowedPorts;
  const portAllowed = ports === 'any' || (ports === 'default' ? url.port === '' : ports.has(port));
  if (!portAllowed) throw new SsrfBlockedException('port-not-allowed');

  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(bare) ? bare : undefined;
  const host = literal ? bare.toLowerCase() : normalizeHostname(bare);
  if (!host) throw new SsrfBlockedException('invalid-url');
  if (!policy.hosts.allows(host)) throw new SsrfBlockedException('host-not-allowed');
  if (literal && !policy.addresses.isAllowed(literal)) throw new SsrfBlockedException('address-not-allowed');
  return { url, host, literal };
}
