import { blockReason, client, stubDns } from '../support/ssrf.js';
import { refusedConnects } from '../support/loopback-only-net.js';

type Row = [url: string, reason: string];

/** Addresses written every way an attacker might: each must be refused before any connect. */
const ADDRESS_FORMS: Row[] = [
  // loopback, every spelling
  ['http://127.0.0.1/', 'address-not-allowed'],
  ['http://127.1/', 'address-not-allowed'],
  ['http://127.0.1/', 'address-not-allowed'],
  ['http://2130706433/', 'address-not-allowed'],
  ['http://0x7f000001/', 'address-not-allowed'],
  ['http://0x7f.1/', 'address-not-allowed'],
  ['http://0x7f.0x0.0x0.0x1/', 'address-not-allowed'],
  ['http://017700000001/', 'address-not-allowed'],
  ['http://0177.0.0.1/', 'address-not-allowed'],
  ['http://0177.1/', 'address-not-allowed'],
  ['http://127.000.000.001/', 'address-not-allowed'],
  ['http://%31%32%37.0.0.1/', 'address-not-allowed'],
  ['http://①②⑦.0.0.1/', 'address-not-allowed'],
  ['http://127.0.0.1./', 'address-not-allowed'],
  ['http://127.255.255.254/', 'address-not-allowed'],
  ['http://127.0.0.1:8000/admin', 'address-not-allowed'],
  ['https://127.0.0.1:443/', 'address-not-allowed'],
  ['http://[::1]/', 'address-not-allowed'],
  ['http://[0:0:0:0:0:0:0:1]/', 'address-not-allowed'],
  ['http://[::ffff:127.0.0.1]/', 'address-not-allowed'],
  ['http://[::ffff:7f00:1]/', 'address-not-allowed'],
  ['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'address-not-allowed'],
  ['http://[::127.0.0.1]/', 'address-not-allowed'],
  ['http://[::ffff:0:127.0.0.1]/', 'address-not-allowed'],
  ['http://[64:ff9b::127.0.0.1]/', 'address-not-allowed'],
  ['http://[64:ff9b::7f00:1]/', 'address-not-allowed'],
  ['http://[64:ff9b:1::7f00:1]/', 'address-not-allowed'],
  ['http://[2002:7f00:1::]/', 'address-not-allowed'],
  ['http://[2002:7f00:0001:0:0:0:0:1]/', 'address-not-allowed'],
  ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'address-not-allowed'], // Teredo
  // "this network"
  ['http://0/', 'address-not-allowed'],
  ['http://0.0.0.0/', 'address-not-allowed'],
  ['http://0x0/', 'address-not-allowed'],
  ['http://0.1.2.3/', 'address-not-allowed'],
  ['http://[::]/', 'address-not-allowed'],
  ['http://[::ffff:0.0.0.0]/', 'address-not-allowed'],
  // cloud metadata
  ['http://169.254.169.254/latest/meta-data/', 'address-not-allowed'],
  ['http://169.254.169.254./', 'address-not-allowed'],
  ['http://2852039166/', 'address-not-allowed'],
  ['http://0xa9fea9fe/', 'address-not-allowed'],
  ['http://0xa9.0xfe.0xa9.0xfe/', 'address-not-allowed'],
  ['http://0251.0376.0251.0376/', 'address-not-allowed'],
  ['http://169.254.43518/', 'address-not-allowed'],
  ['http://[::ffff:169.254.169.254]/', 'address-not-allowed'],
  ['http://[::ffff:a9fe:a9fe]/', 'address-not-allowed'],
  ['http://[64:ff9b::169.254.169.254]/', 'address-not-allowed'],
  ['http://[2002:a9fe:a9fe::1]/', 'address-not-allowed'],
  ['http://169.254.170.2/v2/credentials', 'address-not-allowed'],
  ['http://100.100.100.200/latest/meta-data', 'address-not-allowed'],
  ['http://[fd00:ec2::254]/latest/meta-data/', 'address-not-allowed'],
  ['http://169.254.0.1/', 'address-not-allowed'],
  // RFC 1918
  ['http://10.0.0.1/', 'address-not-allowed'],
  ['http://10.255.255.255/', 'address-not-allowed'],
  ['http://012.0.0.1/', 'address-not-allowed'],
  ['http://0xa.0.0.1/', 'address-not-allowed'],
  ['http://167772161/', 'address-not-allowed'],
  ['http://172.16.0.1/', 'address-not-allowed'],
  ['http://172.31.255.254/', 'address-not-allowed'],
  ['http://192.168.0.1/', 'address-not-allowed'],
  ['http://192.168.1.1:8080/', 'address-not-allowed'],
  ['http://3232235777/', 'address-not-allowed'],
  ['http://0xc0a80001/', 'address-not-allowed'],
  ['http://[::ffff:10.0.0.1]/', 'address-not-allowed'],
  ['http://[::ffff:192.168.0.1]/', 'address-not-allowed'],
  ['http://[64:ff9b::10.0.0.1]/', 'address-not-allowed'],
  ['http://[2002:c0a8:1::1]/', 'address-not-allowed'],
  // other special-purpose IPv4
  ['http://100.64.0.1/', 'address-not-allowed'],
  ['http://100.127.255.254/', 'address-not-allowed'],
  ['http://192.0.0.1/', 'address-not-allowed'],
  ['http://192.0.0.170/', 'address-not-allowed'],
  ['http://192.0.2.1/', 'address-not-allowed'],
  ['http://198.51.100.7/', 'address-not-allowed'],
  ['http://203.0.113.9/', 'address-not-allowed'],
  ['http://198.18.0.1/', 'address-not-allowed'],
  ['http://198.19.255.255/', 'address-not-allowed'],
  ['http://192.88.99.1/', 'address-not-allowed'],
  ['http://192.31.196.1/', 'address-not-allowed'],
  ['http://192.52.193.1/', 'address-not-allowed'],
  ['http://192.175.48.1/', 'address-not-allowed'],
  ['http://224.0.0.1/', 'address-not-allowed'],
  ['http://239.255.255.250/', 'address-not-allowed'],
  ['http://240.0.0.1/', 'address-not-allowed'],
  ['http://255.255.255.255/', 'address-not-allowed'],
  ['http://4294967295/', 'address-not-allowed'],
  // special-purpose IPv6
  ['http://[fe80::1]/', 'address-not-allowed'],
  ['http://[febf::1]/', 'address-not-allowed'],
  ['http://[fec0::1]/', 'address-not-allowed'],
  ['http://[fc00::1]/', 'address-not-allowed'],
  ['http://[fd12:3456:789a::1]/', 'address-not-allowed'],
  ['http://[ff02::1]/', 'address-not-allowed'],
  ['http://[ff05::1:3]/', 'address-not-allowed'],
  ['http://[2001:db8::1]/', 'address-not-allowed'],
  ['http://[3fff::1]/', 'address-not-allowed'],
  ['http://[100::1]/', 'address-not-allowed'],
  ['http://[2001:2::1]/', 'address-not-allowed'],
  ['http://[2001:10::1]/', 'address-not-allowed'],
  ['http://[5f00::1]/', 'address-not-allowed'],
  ['http://[2620:4f:8000::1]/', 'address-not-allowed'],
  ['http://[4000::1]/', 'address-not-allowed'],
  ['http://[::2]/', 'address-not-allowed'],
];

/** Schemes, credentials, ports and parser confusion. */
const URL_TRICKS: Row[] = [
  ['file:///etc/passwd', 'protocol-not-allowed'],
  ['file://localhost/etc/passwd', 'protocol-not-allowed'],
  ['gopher://127.0.0.1:6379/_INFO', 'protocol-not-allowed'],
  ['dict://127.0.0.1:11211/stat', 'protocol-not-allowed'],
  ['ftp://127.0.0.1/', 'protocol-not-allowed'],
  ['ldap://127.0.0.1/', 'protocol-not-allowed'],
  ['data:text/plain;base64,SGVsbG8=', 'protocol-not-allowed'],
  ['data:,hello', 'protocol-not-allowed'],
  ['javascript:alert(1)', 'protocol-not-allowed'],
  ['ws://127.0.0.1/', 'protocol-not-allowed'],
  ['jar:http://127.0.0.1!/', 'protocol-not-allowed'],
  ['HTTP://127.0.0.1/', 'address-not-allowed'],
  ['hTtP://0x7f.1/', 'address-not-allowed'],
  ['http://user:pass@example.org/', 'credentials-in-url'],
  ['http://user@example.org/', 'credentials-in-url'],
  ['http://:pass@example.org/', 'credentials-in-url'],
  ['http://example.org@127.0.0.1/', 'credentials-in-url'],
  ['http://example.org%40@127.0.0.1/', 'credentials-in-url'],
  ['http://example.org\\@127.0.0.1/', 'invalid-url'],
  ['http://127.0.0.1\\@example.org/', 'invalid-url'],
  ['http:\\\\127.0.0.1\\', 'invalid-url'],
  ['http://127.0.0.1\r\nHost: example.org/', 'invalid-url'],
  ['http://exa\nmple.org/', 'invalid-url'],
  ['http://exa\tmple.org/', 'invalid-url'],
  ['http://example.org\u0000.127.0.0.1/', 'invalid-url'],
  [' http://127.0.0.1/', 'invalid-url'],
  ['http://127.0.0.1/ ', 'invalid-url'],
  ['\u0000http://127.0.0.1/', 'invalid-url'],
  ['http://127.0.0.1\u3000/', 'invalid-url'],
  ['http://[::1%25eth0]/', 'invalid-url'],
  ['http://[fe80::1%25eth0]/', 'invalid-url'],
  ['http://[::1/', 'invalid-url'],
  ['http://a%00b.com/', 'invalid-url'],
  ['http://1.1.1.1.1/', 'invalid-url'],
  ['http://425.510.425.510/', 'invalid-url'],
  ['http://256.0.0.1/', 'invalid-url'],
  ['//127.0.0.1/', 'invalid-url'],
  ['/admin', 'invalid-url'],
  ['admin', 'invalid-url'],
  ['', 'invalid-url'],
  ['http://', 'invalid-url'],
  ['http:///127.0.0.1', 'address-not-allowed'],
  [`http://example.org/${'a'.repeat(9000)}`, 'invalid-url'],
];

const PORT_RULES: Row[] = [
  ['https://example.org:8443/', 'port-not-allowed'],
  ['https://example.org:80/', 'port-not-allowed'],
  ['https://example.org:22/', 'port-not-allowed'],
  ['https://example.org:0/', 'port-not-allowed'],
  ['https://example.org:6379/', 'port-not-allowed'],
  ['https://example.org:65535/', 'port-not-allowed'],
  ['https://example.org:99999/', 'invalid-url'],
  ['http://example.org/', 'protocol-not-allowed'],
];

/** Host allowlist confusion, with the module's default protocol and ports. */
const HOST_RULES: Row[] = [
  ['https://evil.com/', 'host-not-allowed'],
  ['https://example.com.evil.com/', 'host-not-allowed'],
  ['https://evilexample.com/', 'host-not-allowed'],
  ['https://example.co/', 'host-not-allowed'],
  ['https://example.com-evil.com/', 'host-not-allowed'],
  ['https://evil.com#@example.com', 'host-not-allowed'],
  ['https://evil.com?@example.com', 'host-not-allowed'],
  ['https://evil.com/example.com', 'host-not-allowed'],
  ['https://example.com@evil.com/', 'credentials-in-url'],
  ['https://cdn.trusted.com/', 'host-not-allowed'],
  ['https://xcdn.trusted.com/', 'host-not-allowed'],
  ['https://a.cdn.trusted.com.evil.com/', 'host-not-allowed'],
  ['https://api.trusted.com.evil.com/', 'host-not-allowed'],
  ['https://trusted.com/', 'host-not-allowed'],
  ['https://sub.example.com/', 'host-not-allowed'],
  ['https://exаmple.com/', 'host-not-allowed'], // Cyrillic а
  ['https://examp1e.com/', 'host-not-allowed'],
  ['https://localhost/', 'host-not-allowed'],
  ['https://127.0.0.1/', 'host-not-allowed'],
  ['https://[::1]/', 'host-not-allowed'],
  ['https://169.254.169.254/', 'host-not-allowed'],
  ['https://metadata.google.internal/', 'host-not-allowed'],
  ['https://example.com../', 'host-not-allowed'],
];

const PUBLIC_BUT_PRIVATE_DNS: Row[] = [
  ['http://internal.example.org/', 'address-not-allowed'],
  ['http://metadata.example.org/', 'address-not-allowed'],
  ['http://mixed.example.org/', 'address-not-allowed'],
  ['http://mapped.example.org/', 'address-not-allowed'],
  ['http://ula.example.org/', 'address-not-allowed'],
  ['http://localhost/', 'address-not-allowed'],
  ['http://localhost./', 'address-not-allowed'],
  ['http://LOCALHOST/', 'address-not-allowed'],
  ['http://169.254.169.254.nip.io/', 'address-not-allowed'],
];

describe('SafeHttpService refuses hostile URLs before any connect', () => {
  const dns = stubDns({
    'internal.example.org': ['10.1.2.3'],
    'metadata.example.org': ['169.254.169.254'],
    'mixed.example.org': ['93.184.216.34', '127.0.0.1'],
    'mapped.example.org': ['::ffff:127.0.0.1'],
    'ula.example.org': ['fd00::1'],
    localhost: ['127.0.0.1', '::1'],
    'localhost.': ['127.0.0.1'],
    '169.254.169.254.nip.io': ['169.254.169.254'],
  });
  const open = client({ allowedProtocols: ['http:', 'https:'], allowedPorts: 'any', dnsLookup: dns.lookup });
  const strictHosts = client({ allowedHosts: ['example.com', 'api.trusted.com', '*.cdn.trusted.com'], dnsLookup: dns.lookup });
  const httpsOnly = client({ dnsLookup: dns.lookup });

  it('has a table of at least 150 hostile URLs', () => {
    expect(ADDRESS_FORMS.length + URL_TRICKS.length + PORT_RULES.length + HOST_RULES.length + PUBLIC_BUT_PRIVATE_DNS.length).toBeGreaterThanOrEqual(150);
  });

  it.each(ADDRESS_FORMS)('%s -> %s', async (url, reason) => {
    expect(await blockReason(open, url)).toMatchObject({ reason, status: 403, connects: 0 });
  });

  it.each(URL_TRICKS)('%j -> %s', async (url, reason) => {
    const result = await blockReason(open, url);
    expect(result).toMatchObject({ reason, connects: 0 });
    expect(result.status).toBe(reason === 'invalid-url' || reason === 'credentials-in-url' ? 400 : 403);
  });

  it.each(PORT_RULES)('%s -> %s (default ports: https 443 only)', async (url, reason) => {
    expect(await blockReason(httpsOnly, url)).toMatchObject({ reason, connects: 0 });
  });

  it.each(HOST_RULES)('%s -> %s (allowlist example.com, api.trusted.com, *.cdn.trusted.com)', async (url, reason) => {
    expect(await blockReason(strictHosts, url)).toMatchObject({ reason, connects: 0 });
  });

  it.each(PUBLIC_BUT_PRIVATE_DNS)('%s resolves to a blocked address -> %s', async (url, reason) => {
    expect(await blockReason(open, url)).toMatchObject({ reason, status: 403 });
  });

  it('never tried to leave the machine', () => {
    expect(refusedConnects).toEqual([]);
  });
});
