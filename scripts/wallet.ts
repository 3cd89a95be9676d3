// `npm run -s wallet -- --as demo-adele '<deeplink or request URI>' [--reject] [--omit claim]… [--issuer URL] [--dir DIR]`
// A demo person's e-ID wallet, in the swiyu wallet's place (fakes/eid-wallet/README.md): it keeps
// a holder key and the person's Beta-ID-shaped credential in `<dir>/<sub>.json` (mode 0600; the
// credential is fetched once from the demo issuer of `npm start`), then answers the verification
// of the link: checks the request object's signature, discloses only the requested claims, binds
// them to the holder key and posts the answer (direct_post.jwt). It prints one line and never a
// claim value: `presented: HTTP 200`, `declined: HTTP 200`, or why not (exit code 1).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { z } from 'zod';
import { readJsonFile, writePrivateJson } from '../fakes/eid-wallet/private-json';
import { createTestWallet, generateHolderKey, publicJwkOf, requestUriOf, WalletError, type Submission } from '../fakes/eid-wallet/wallet';

const USAGE = "usage: npm run -s wallet -- --as <demo sub> '<deeplink or request URI>' [--reject] [--omit <claim>]… [--issuer URL] [--dir DIR]";

/** A failure the holder should read as is: one line, exit code 1. */
class Refused extends Error {}

const argsSchema = z.object({
  as: z
    .string({ message: '--as <demo sub> is required (e.g. --as demo-adele)' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, '--as: letters, digits, - and _ only'),
  link: z.string({ message: 'the deeplink or request URI is required' }).min(1),
  reject: z.boolean().default(false),
  omit: z.array(z.string().regex(/^[A-Za-z0-9_]{1,64}$/, '--omit takes a claim name such as birth_date')).default([]),
  issuer: z.url({ protocol: /^https?$/, message: '--issuer is an http(s) URL' }).default(`http://127.0.0.1:${process.env.EID_ISSUER_PORT ?? 4040}`),
  dir: z.string().min(1).optional(),
});

const ecJwk = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() });
const walletFileSchema = z.strictObject({
  sub: z.string(),
  holderKey: ecJwk.extend({ d: z.string() }),
  credential: z.string().min(1),
  /** Its entry in the issuer's status list (to revoke it: POST <issuer>/_control/status { idx, value: 1 }). */
  statusIdx: z.number().int().min(0),
  /** Which issuer made it: a new issuer DID or status list (its data were wiped, its port moved) means a new credential. */
  issuer: z.strictObject({ url: z.string(), did: z.string(), statusListUri: z.string() }),
});
type WalletFile = z.infer<typeof walletFileSchema>;

const issuerInfo = z.object({ did: z.string(), statusListUri: z.string() });
const issued = z.object({ credential: z.string().min(1), statusIdx: z.number().int() });

/** fetch with a timeout, where an unreachable service is said in words. */
async function call(what: string, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new Refused(`cannot reach ${what} at ${new URL(url).origin} (${code})`);
  }
}

async function json<T>(what: string, res: Response, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new Refused(`${what} answered something this wallet does not understand`);
  return parsed.data;
}

/** The person's key and credential: kept, or made now (the credential from the demo issuer). */
async function holderOf(sub: string, file: string, issuerUrl: string): Promise<WalletFile> {
  let kept: WalletFile | undefined;
  try {
    kept = readJsonFile(file, walletFileSchema);
  } catch (err) {
    throw new Refused((err as Error).message);
  }
  const base = issuerUrl.replace(/\/+$/, '');
  let current: z.infer<typeof issuerInfo> | undefined;
  try {
    const res = await call('the demo issuer', `${base}/_demo/issuer`);
    if (res.ok) current = await json('the demo issuer', res, issuerInfo);
  } catch (err) {
    // A kept credential does without its issuer, as a wallet offline from its issuer does.
    if (!kept) throw new Refused(`${(err as Error).message}: is \`npm start\` running? (or pass --issuer URL)`);
  }
  if (kept && (!current || (kept.issuer.did === current.did && kept.issuer.statusListUri === current.statusListUri))) return kept;
  if (!current) throw new Refused(`the demo issuer at ${base} does not answer as one`);

  const holderKey = kept?.holderKey ?? ((await generateHolderKey()) as WalletFile['holderKey']);
  const res = await call('the demo issuer', `${base}/_demo/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, holderJwk: publicJwkOf(holderKey) }),
  });
  if (res.status === 404) throw new Refused('the demo issuer has no such demo identity (the demo people are in fakes/demo-identities.json)');
  if (!res.ok) throw new Refused(`the demo issuer refused to issue: HTTP ${res.status}`);
  const { credential, statusIdx } = await json('the demo issuer', res, issued);
  const made: WalletFile = { sub, holderKey, credential, statusIdx, issuer: { url: base, did: current.did, statusListUri: current.statusListUri } };
  writePrivateJson(file, made);
  return made;
}

/**
 * The verifier's request-object key. A real wallet resolves the verifier DID (the DID of the
 * JAR's kid) through its did:tdw / did:webvh log; the fake verifier publishes the key at
 * `/_control/verifier-jwks` instead, on the origin of the request URI.
 */
async function verifierKeys(origin: string): Promise<JWK[]> {
  const res = await call('the verifier', `${origin}/_control/verifier-jwks`);
  if (!res.ok) throw new Refused(`the verifier at ${origin} publishes no key: HTTP ${res.status}`);
  return (await json('the verifier', res, z.object({ keys: z.array(z.looseObject({ kid: z.string() })) }))).keys as JWK[];
}

/** One line on the verifier's answer; no claim value is in it (its codes and descriptions name none). */
function outcome(verb: string, s: Submission): { line: string; ok: boolean } {
  if (s.status >= 200 && s.status < 300) return { line: `${verb}: HTTP ${s.status}`, ok: true };
  const body = typeof s.body === 'object' && s.body !== null ? (s.body as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\s+/g, ' ').slice(0, 200) : undefined);
  const code = text(body.error_code);
  const description = text(body.error_description);
  return { line: `refused: HTTP ${s.status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`, ok: false };
}

async function main(): Promise<number> {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        as: { type: 'string' },
        reject: { type: 'boolean' },
        omit: { type: 'string', multiple: true },
        issuer: { type: 'string' },
        dir: { type: 'string' },
      },
    }));
  } catch (err) {
    process.stderr.write(`wallet: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const parsed = argsSchema.safeParse({ ...values, link: positionals.length === 1 ? positionals[0] : undefined });
  if (!parsed.success || positionals.length > 1) {
    const problems = parsed.success ? ['give one link only (quote it: it holds & and ?)'] : parsed.error.issues.map((i) => i.message);
    process.stderr.write(`wallet: ${problems.join('; ')}\n${USAGE}\n`);
    return 2;
  }
  const a = parsed.data;
  const dir = a.dir ?? join(process.env.DATA_DIR ?? join(__dirname, '..', '.data'), 'wallet');

  const requestUri = requestUriOf(a.link);
  const holder = await holderOf(a.as, join(dir, `${a.as}.json`), a.issuer);
  const keys = await verifierKeys(requestUri.origin);
  const wallet = await createTestWallet({ holderKey: holder.holderKey, resolveVerifierKey: (kid) => keys.find((k) => k.kid === kid) });
  const request = await wallet.fetchRequest(a.link);
  let result: { line: string; ok: boolean };
  if (a.reject) {
    result = outcome('declined', await wallet.reject(request));
  } else {
    const vpToken = await wallet.present(holder.credential, request, { omit: a.omit });
    result = outcome('presented', await wallet.submit(request, vpToken));
  }
  (result.ok ? process.stdout : process.stderr).write(`${result.line}\n`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof Refused || err instanceof WalletError) {
      process.stderr.write(`wallet: ${err.message}\n`);
    } else if (err instanceof TypeError && err.message === 'fetch failed') {
      process.stderr.write(`wallet: the verifier stopped answering (${(err.cause as { code?: string } | undefined)?.code ?? 'network error'})\n`);
    } else {
      process.stderr.write(`wallet: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
