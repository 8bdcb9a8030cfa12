export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type DnsLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** What SafeHttpService may reach (API7 SSRF, API10 unsafe consumption). */
export interface SafeHttpPolicy {
  /** Exact names or '*.example.com' wildcards. Empty: any public host. */
  allowedHosts?: string[];
  /** Default ['https:']. */
  allowedProtocols?: ('http:' | 'https:')[];
  /** Default: the protocol's default port only. 'any' for 1-65535. */
  allowedPorts?: number[] | 'any';
  /** Explicit exceptions to the special-purpose address block, e.g. '127.0.0.1/32'. */
  allowedCidrs?: string[];
  /** Default true. */
  blockPrivateNetworks?: boolean;
  /** Default 3. */
  maxRedirects?: number;
  /** Bound of the whole exchange. Default 10_000. */
  timeoutMs?: number;
  /** Default 10 MiB. */
  maxResponseBytes?: number;
  /** Resolver used instead of the system one. */
  dnsLookup?: DnsLookup;
}
