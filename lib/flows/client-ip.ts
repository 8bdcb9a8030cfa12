import ipaddr from 'ipaddr.js';

/**
 * The client address as the adapter resolved it (so `trust proxy` stays the app's choice), with
 * IPv4-mapped IPv6 unmapped and IPv6 grouped by `/ipv6Subnet` so rotating inside one allocation
 * does not reset a limit.
 */
/** Canonical dotted IPv4, optionally IPv4-mapped: the common case, answered without a parse. */
const PLAIN_V4 = /^(?:::ffff:)?((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))$/i;

export function clientIpKey(ip: string | undefined, ipv6Subnet: number): string {
  if (!ip) return 'unknown';
  const v4 = PLAIN_V4.exec(ip);
  if (v4) return v4[1];
  try {
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv4') return address.toString();
    const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${ipv6Subnet}`);
    return `${network.toString()}/${ipv6Subnet}`;
  } catch {
    return `raw:${ip}`;
  }
}
