import net from 'node:net';

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopback(host: string | undefined): boolean {
  if (!host) return false;
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_V4.test(bare) || bare === '::1' || bare === 'localhost' || /^::ffff:127\./.test(bare);
}

export class NonLoopbackConnectError extends Error {
  constructor(target: string) {
    super(`test safety net: refused a connection to ${target} (tests may only reach 127.0.0.0/8 and ::1)`);
  }
}

/** Every target the safety net refused, so a test can assert that nothing tried to leave the machine. */
export const refusedConnects: string[] = [];

/**
 * The network safety net: every socket connect to anything but loopback throws before a packet is sent,
 * so a broken SSRF defence fails its test instead of reaching the network. Also refuses connects that
 * go through a `lookup` to a non-loopback address.
 */
export function installLoopbackOnlyNet(): void {
  const proto = net.Socket.prototype as any;
  if (proto.__loopbackOnly) return;
  const original = proto.connect;
  proto.connect = function guardedConnect(this: net.Socket, ...args: any[]) {
    const options = typeof args[0] === 'object' && args[0] !== null ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { port: args[0], host: args[1] };
    if (options && options.path === undefined) {
      const host = options.host ?? 'localhost';
      if (!isLoopback(host) && typeof options.lookup !== 'function') {
        refusedConnects.push(String(host));
        throw new NonLoopbackConnectError(String(host));
      }
      if (typeof options.lookup === 'function') {
        const lookup = options.lookup;
        options.lookup = (hostname: string, opts: any, callback: any) =>
          lookup(hostname, opts, (err: any, address: any, family: any) => {
            const addresses = Array.isArray(address) ? address.map((a: any) => a.address) : [address];
            const outside = !err && addresses.find((a: string) => !isLoopback(a));
            if (outside) {
              refusedConnects.push(outside);
              return callback(new NonLoopbackConnectError(outside));
            }
            callback(err, address, family);
          });
      }
    }
    return original.apply(this, args);
  };
  proto.__loopbackOnly = true;
}
