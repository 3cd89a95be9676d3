// A test issuer of Beta-ID-shaped SD-JWT VCs (the e-ID blueprint: claim names of
// swiyu-admin-ch.github.io `_cookbooks/how-to-use-beta-id.md`, profile of `swiss-profile-vc.md`)
// with a token status list it serves over HTTP and can revoke in. It stands for the Beta-ID's
// issuer (the BCS) in the tests and, made persistent (./demo-issuer.ts), in demos: with a key
// file its key pair and DID survive a restart, with a status file its list and revocations do.
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';
import { readJsonFile, writePrivateJson } from './private-json';

/** The Beta-ID's business claims (all strings, as in the BCS sample and its schema). */
export interface BetaIdClaims {
  given_name: string;
  family_name: string;
  birth_date: string;
  age_birth_year: string;
  age_over_16: string;
  age_over_18: string;
  age_over_65: string;
  personal_administrative_number: string;
  nationality: string;
  sex: string;
  place_of_origin: string;
  birth_place: string;
  document_number: string;
  issuance_date: string;
  expiry_date: string;
  issuing_authority: string;
  issuing_country: string;
}

/** Adèle of the demo registers (fake person), as her Beta-ID would say it. */
export const ADELE: BetaIdClaims = {
  given_name: 'Adèle',
  family_name: 'Exemple',
  birth_date: '1985-03-21',
  age_birth_year: '1985',
  age_over_16: 'true',
  age_over_18: 'true',
  age_over_65: 'false',
  personal_administrative_number: '756.1234.5678.04',
  nationality: 'CH',
  sex: '2',
  place_of_origin: 'Delémont JU',
  birth_place: 'Delémont',
  document_number: 'BETA-ID-TEST0001',
  issuance_date: '2026-01-05',
  expiry_date: '2031-01-04',
  issuing_authority: 'Test issuer',
  issuing_country: 'CH',
};

export const BETA_ID_VCT = 'urn:vct:ch.admin.bcs.betaid';

export interface IssueOptions {
  vct?: string;
  /** Hard validity (`exp`), in seconds since the epoch; default one year from now. */
  exp?: number;
  /** The status list index; default the next free one. */
  statusIdx?: number;
  /** Forgeries: another header kid or `iss` than this issuer's own (CD-008). */
  kid?: string;
  iss?: string;
}

export interface TestIssuer {
  did: string;
  kid: string;
  publicJwk: JWK;
  /** The status list's URL (`status.status_list.uri` in the credentials). */
  statusListUri: string;
  /** The origin the status list is served from (the verifier's accepted registry host). */
  origin: string;
  /**
   * Claims default to ADELE's; a claim given as undefined is left out of the credential.
   * A claim the schema marks optional (sex, place_of_origin) may so be absent.
   */
  issue(holderJwk: JWK, claims?: Partial<BetaIdClaims>, opts?: IssueOptions): Promise<{ credential: string; statusIdx: number }>;
  /** 0 valid, 1 revoked (INVALID), 2 suspended. */
  setStatus(idx: number, value: 0 | 1 | 2): void;
  /** The BCS's list had no `exp` (#394): makes every check of this list fail. */
  omitStatusListExp(omit: boolean): void;
  close(): Promise<void>;
}

export interface TestIssuerOptions {
  /** Part of a new DID (`did:tdw:QmTest<name>:…`); a key file's DID wins. */
  name?: string;
  /** Where the status list is served; default any free port on 127.0.0.1. */
  port?: number;
  host?: string;
  /** Keeps the ES256 key pair and the DID (JSON, mode 0600), made on the first start. */
  keyFile?: string;
  /** Keeps the status list, its id (so its URL) and the next free index. */
  statusFile?: string;
  /** Entries in a new status list (default 128). */
  listSize?: number;
  /** More routes on the issuer's server (the demo issuer's endpoints); `self` is ready once listening. */
  routes?: (app: Express, self: () => TestIssuer) => void;
}

const ecJwk = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1), y: z.string().min(1) });
const keyFileSchema = z.strictObject({
  did: z.string().regex(/^did:[a-z0-9]+:[^#\s]+$/),
  kid: z.string().regex(/^did:[a-z0-9]+:[^#\s]+#[^#\s]+$/),
  privateJwk: ecJwk.extend({ d: z.string().min(1) }),
  publicJwk: ecJwk,
});
const statusFileSchema = z.strictObject({
  listId: z.uuid(),
  bits: z.literal(2),
  /** base64url(zlib(bytes)), as `status_list.lst` in the token. */
  lst: z.string().min(1),
  nextIdx: z.number().int().min(0),
});
type KeyFile = z.infer<typeof keyFileSchema>;
type StatusFile = z.infer<typeof statusFileSchema>;

const hasher = (data: string | ArrayBuffer, alg: string) => digest(data, alg);

async function loadOrMakeKeys(opts: TestIssuerOptions): Promise<KeyFile> {
  const saved = opts.keyFile ? readJsonFile(opts.keyFile, keyFileSchema) : undefined;
  if (saved) return saved;
  const did = `did:tdw:QmTest${opts.name ?? 'Issuer'}:issuer.localhost:api:v1:did:${randomUUID()}`;
  const { privateKey, publicKey } = await ES256.generateKeyPair();
  const made = { did, kid: `${did}#assert-key-01`, privateJwk: privateKey as KeyFile['privateJwk'], publicJwk: publicKey as KeyFile['publicJwk'] };
  if (opts.keyFile) writePrivateJson(opts.keyFile, made);
  return made;
}

function loadOrMakeStatus(opts: TestIssuerOptions): { listId: string; list: StatusList; nextIdx: number } {
  const saved = opts.statusFile ? readJsonFile(opts.statusFile, statusFileSchema) : undefined;
  if (saved) return { listId: saved.listId, list: StatusList.decompressStatusList(saved.lst, saved.bits), nextIdx: saved.nextIdx };
  return { listId: randomUUID(), list: new StatusList(new Array<number>(opts.listSize ?? 128).fill(0), 2), nextIdx: 0 };
}

/** An ES256 issuer with a did:tdw-shaped DID and a 2-bit status list served on loopback. */
export async function startTestIssuer(opts: TestIssuerOptions = {}): Promise<TestIssuer> {
  const keys = await loadOrMakeKeys(opts);
  const { did, kid } = keys;
  const status = loadOrMakeStatus(opts);
  const { list, listId } = status;
  let nextIdx = status.nextIdx;
  const persistStatus = () => {
    if (!opts.statusFile) return;
    const saved: StatusFile = { listId, bits: 2, lst: list.compressStatusList(), nextIdx };
    writePrivateJson(opts.statusFile, saved);
  };
  persistStatus();
  let withExp = true;
  const listPath = `/api/v1/statuslist/${listId}.jwt`;
  const signingKey = await importJWK(keys.privateJwk, 'ES256');

  const app = express();
  app.disable('x-powered-by');
  app.get(listPath, async (_req, res) => {
    const now = Math.floor(Date.now() / 1000);
    const { header, payload } = createHeaderAndPayload(
      list,
      { iss: did, sub: statusListUri, iat: now, ...(withExp ? { exp: now + 3600 } : {}), ttl: 60 },
      { alg: 'ES256', typ: 'statuslist+jwt', kid, profile_version: 'swiss-profile-vc:1.0.0' },
    );
    const token = await new SignJWT(payload).setProtectedHeader(header).sign(signingKey);
    res.type('application/statuslist+jwt').send(token);
  });
  // The routes are added now and called once the issuer below exists.
  const ready: { issuer?: TestIssuer } = {};
  opts.routes?.(app, () => {
    if (!ready.issuer) throw new Error('the issuer is not listening yet');
    return ready.issuer;
  });
  const served = await listenOn(finishApp(app), opts.port ?? 0, opts.host ?? '127.0.0.1');
  const statusListUri = `${served.url}${listPath}`;

  const sdjwt = new SDJwtVcInstance({
    signer: await ES256.getSigner(keys.privateJwk),
    signAlg: 'ES256',
    hasher,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  });
  const listSize = list.statusList.length;

  const issuer: TestIssuer = {
    did,
    kid,
    publicJwk: keys.publicJwk,
    statusListUri,
    origin: served.url,
    async issue(holderJwk, claims = {}, issueOpts = {}) {
      if (issueOpts.statusIdx === undefined && nextIdx >= listSize) throw new Error(`the status list is full (${listSize} entries)`);
      const statusIdx = issueOpts.statusIdx ?? nextIdx++;
      persistStatus();
      const now = Math.floor(Date.now() / 1000);
      const business = Object.fromEntries(Object.entries({ ...ADELE, ...claims }).filter(([, v]) => v !== undefined)) as Partial<BetaIdClaims>;
      const credential = await sdjwt.issue(
        {
          ...business,
          iss: issueOpts.iss ?? did,
          iat: now,
          nbf: now - 60,
          exp: issueOpts.exp ?? now + 365 * 24 * 3600,
          vct: issueOpts.vct ?? BETA_ID_VCT,
          cnf: { jwk: holderJwk },
          status: { status_list: { idx: statusIdx, uri: statusListUri, type: 'SwissTokenStatusList-1.0' } },
        },
        // Every business claim selectively disclosable, none permanently (swiss-profile-vc).
        { _sd: Object.keys(business) as (keyof BetaIdClaims)[] },
        { header: { kid: issueOpts.kid ?? kid, profile_version: 'swiss-profile-vc:1.0.0' } },
      );
      return { credential, statusIdx };
    },
    setStatus(idx, value) {
      if (!Number.isInteger(idx) || idx < 0 || idx >= listSize) throw new RangeError(`no status list entry ${idx} (0..${listSize - 1})`);
      list.setStatus(idx, value);
      persistStatus();
    },
    omitStatusListExp(omit) {
      withExp = !omit;
    },
    close: served.close,
  };
  ready.issuer = issuer;
  return issuer;
}
