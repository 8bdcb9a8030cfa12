import ipaddr from 'ipaddr.js';

/**
 * The client address as the adapter resolved it (so `trust proxy` stays the app's choice), with
 * IPv4-mapped IPv6 unmapped and IPv6 grouped by `/ipv6Subnet` so rotating inside one allocation
 * does not reset a limit.
 */
export function clientIpKey(ip: string | undefined, ipv6Subnet: number): string {
  if (!ip) return 'unknown';
  try {
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv4') return address.toString();
    const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${ipv6Subnet}`);
    return `${network.toString()}/${ipv6Subnet}`;
  } catch {
    return `raw:${ip}`;
  }
}
