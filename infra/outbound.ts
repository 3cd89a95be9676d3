// Requests the engine sends to addresses a unit configured (its webhook): outside development they
// never reach a loopback, private, link-local or otherwise internal address, unless it is in the
// networks the deployment names (a canton's own systems, WEBHOOK_ALLOWED_NETWORKS). The address is
// checked where the connection is made (the resolver's answer, not a second lookup), so a name
// that resolves elsewhere the second time (DNS rebinding) gains nothing; no redirect is followed.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface AddressPolicy {
  /** CIDR blocks allowed although internal, e.g. "10.20.0.0/16" (a canton's network). */
  allowedNetworks: string[];
}

export class BlockedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

const INTERNAL_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const INTERNAL_V6 = ['::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b:1::/48'];
const internal = new BlockList();
for (const c of INTERNAL_V4) internal.addSubnet(c.split('/')[0]!, Number(c.split('/')[1]), 'ipv4');
for (const c of INTERNAL_V6) internal.addSubnet(c.split('/')[0]!, Number(c.split('/')[1]), 'ipv6');

function blockListOf(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [net, bits] = c.split('/');
    const family = isIP(net ?? '');
    if (!family || !bits || !/^\d+$/.test(bits)) throw new Error(`"${c}" is not a CIDR block (such as 10.20.0.0/16)`);
    list.addSubnet(net!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Throws when the address may not be reached under the policy. */
export function checkAddress(address: string, policy: AddressPolicy): void {
  let family = isIP(address);
  let addr = address;
  // An IPv4-mapped IPv6 address is the IPv4 one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) [addr, family] = [mapped[1]!, 4];
  if (!family) throw new BlockedAddressError(`"${address}" is not an IP address`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (!internal.check(addr, type)) return;
  if (blockListOf(policy.allowedNetworks).check(addr, type)) return;
  throw new BlockedAddressError(`${address} is a loopback, private or internal address, not in WEBHOOK_ALLOWED_NETWORKS`);
}

/** dns.lookup, refusing an answer the policy does not allow (every address of it). */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      try {
        for (const a of addresses) checkAddress(a.address, policy);
      } catch (e) {
        return callback(e as NodeJS.ErrnoException, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * POSTs `body` to `url` and resolves with the status (the answer's body is read and dropped).
 * `policy` null: no address check (development, where the units' fakes listen on loopback).
 */
export function postTo(url: string, headers: Record<string, string>, body: string, o: { timeoutMs: number; policy: AddressPolicy | null }): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return Promise.reject(new BlockedAddressError(`${target.protocol} is not http(s)`));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (o.policy && isIP(host)) {
    try {
      checkAddress(host, o.policy); // an address literal is never looked up
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: o.timeoutMs,
        ...(o.policy ? { lookup: guardedLookup(o.policy) } : {}),
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host} within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
