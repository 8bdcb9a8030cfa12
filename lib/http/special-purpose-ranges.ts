/**
 * IANA IPv4 and IPv6 Special-Purpose Address Registries (plus multicast and the reserved blocks).
 * Every range here is refused unless `allowedCidrs` names it; IPv6 outside 2000::/3 is refused too.
 */
export const SPECIAL_PURPOSE_IPV4: readonly string[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space (CGNAT)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, cloud metadata
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.31.196.0/24', // AS112-v4
  '192.52.193.0/24', // AMT
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16', // private
  '192.175.48.0/24', // direct delegation AS112
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. 255.255.255.255 broadcast
];

export const SPECIAL_PURPOSE_IPV6: readonly string[] = [
  '::/128', // unspecified
  '::1/128', // loopback
  '64:ff9b:1::/48', // local-use IPv4/IPv6 translation
  '100::/64', // discard-only
  '100:0:0:1::/64', // dummy prefix
  '2001::/23', // IETF protocol assignments, incl. Teredo 2001::/32
  '2001:db8::/32', // documentation
  '2620:4f:8000::/48', // AS112-v6
  '3fff::/20', // documentation
  '5f00::/16', // SRv6 SIDs
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
];

/** Cloud metadata endpoints: refused even with blockPrivateNetworks: false, unless allowedCidrs names them. */
export const METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254/32', // AWS, GCP, Azure, OpenStack...
  '169.254.170.2/32', // AWS ECS task metadata
  '169.254.169.253/32', // AWS DNS
  '100.100.100.200/32', // Alibaba Cloud
  'fd00:ec2::254/128', // AWS IMDS over IPv6
];
