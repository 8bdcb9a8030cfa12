import ipaddr from 'ipaddr.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { METADATA_ADDRESSES, SPECIAL_PURPOSE_IPV4, SPECIAL_PURPOSE_IPV6 } from './special-purpose-ranges.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3') as Cidr;
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as Cidr;
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16') as Cidr;
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as Cidr;
const IPV4_TRANSLATED = ipaddr.parseCIDR('::ffff:0:0:0/96') as Cidr;

function parseCidrs(list: readonly string[], option: string): Cidr[] {
  return list.map((entry) => {
    try {
      return ipaddr.parseCIDR(entry) as Cidr;
    } catch {
      throw new ShieldConfigurationError(`${option}: ${JSON.stringify(entry)} is not a CIDR such as '127.0.0.1/32' or '::1/128'`);
    }
  });
}

function inAny(address: Address, cidrs: readonly Cidr[]): boolean {
  return cidrs.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

function v4FromLow32(parts: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
}

/**
 * IPv4 carried inside an IPv6 address (mapped, translated, compatible, NAT64 well-known prefix, 6to4):
 * such addresses are judged as the IPv4 they reach.
 */
export function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const parts = address.parts;
  if (address.isIPv4MappedAddress() || address.match(...IPV4_TRANSLATED) || address.match(...NAT64_WELL_KNOWN)) {
    return v4FromLow32(parts);
  }
  if (address.match(...IPV4_COMPATIBLE) && !(parts[6] === 0 && parts[7] <= 1)) {
    return v4FromLow32(parts);
  }
  if (address.match(...SIX_TO_FOUR)) {
    return new ipaddr.IPv4([parts[1] >> 8, parts[1] & 0xff, parts[2] >> 8, parts[2] & 0xff]);
  }
  return undefined;
}

/** Decides whether a resolved address may be connected to. Only ever fed resolver or URL-parser output. */
export class AddressPolicy {
  private readonly blockedV4 = parseCidrs(SPECIAL_PURPOSE_IPV4, 'special-purpose IPv4');
  private readonly blockedV6 = parseCidrs(SPECIAL_PURPOSE_IPV6, 'special-purpose IPv6');
  private readonly metadata = parseCidrs(METADATA_ADDRESSES, 'metadata');
  private readonly exceptions: Cidr[];

  constructor(readonly allowedCidrs: readonly string[] = [], readonly blockPrivateNetworks = true) {
    if (!Array.isArray(allowedCidrs)) throw new ShieldConfigurationError('http.allowedCidrs must be an array of CIDRs');
    this.exceptions = parseCidrs(allowedCidrs, 'http.allowedCidrs');
  }

  /** True when `allowedCidrs` reaches one of the cloud metadata addresses (an audit finding). */
  get exceptsMetadata(): boolean {
    return this.exceptions.some(([range, bits]) =>
      this.metadata.some(([meta]) => meta.kind() === range.kind() && meta.match(range, bits)));
  }

  isAllowed(text: string): boolean {
    let parsed: Address;
    try {
      parsed = ipaddr.parse(text);
    } catch {
      return false;
    }
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).zoneId) return false;
    const carried = parsed.kind() === 'ipv6' ? embeddedIPv4(parsed as ipaddr.IPv6) : undefined;
    const judged: Address[] = carried ? [parsed, carried] : [parsed];

    if (judged.some((a) => inAny(a, this.exceptions))) return true;
    if (judged.some((a) => inAny(a, this.metadata))) return false;
    if (!this.blockPrivateNetworks) return true;
    if (carried) return !inAny(carried, this.blockedV4);
    if (parsed.kind() === 'ipv4') return !inAny(parsed, this.blockedV4);
    return parsed.match(...GLOBAL_UNICAST_V6) && !inAny(parsed, this.blockedV6);
  }
}
