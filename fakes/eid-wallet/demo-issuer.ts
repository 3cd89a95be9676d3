// The demo's e-ID issuer: the persistent test issuer (./issuer.ts) as an HTTP service that
// issues a Beta-ID-shaped credential to a demo person's wallet (scripts/wallet.ts), as the
// Beta Credential Service (BCS) issues the Beta-ID to the swiyu wallet. Its key, DID, status
// list and revocations are kept in `dir`, so `npm start` can restart without the verifier's
// trust list or a wallet's credential going stale. Demo people only (fakes/demo-identities.json).
// It logs nothing and answers no claim value but in the credential itself.
import express, { type Express, type Response } from 'express';
import { join } from 'node:path';
import { z } from 'zod';
import demoIdentities from '../demo-identities.json';
import { BETA_ID_VCT, startTestIssuer, type BetaIdClaims, type TestIssuer } from './issuer';

const identitySchema = z.object({
  sub: z.string().min(1),
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  birthDate: z.iso.date(),
  avsNumber: z.string().regex(/^756\.\d{4}\.\d{4}\.\d{2}$/),
});
export type DemoIdentity = z.infer<typeof identitySchema>;

/** The demo people, checked once. */
export const DEMO_IDENTITIES: readonly DemoIdentity[] = z.object({ identities: z.array(identitySchema).min(1) }).parse(demoIdentities).identities;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** Has the person born on `birthDate` turned `years` on `today` (ISO dates)? A 29 February birthday falls on 1 March. */
function hasTurned(birthDate: string, years: number, today: string): boolean {
  return `${Number(birthDate.slice(0, 4)) + years}${birthDate.slice(4)}` <= today;
}

/** The stand-in place of origin and birth place of every demo person: the demo counter's canton's. */
export interface DemoOrigin {
  placeOfOrigin: string;
  birthPlace: string;
}
export const JURA_ORIGIN: DemoOrigin = { placeOfOrigin: 'Delémont JU', birthPlace: 'Delémont' };

/**
 * What a demo person's Beta-ID says on `today`. The claims the sources do not give a value for
 * are plausible stand-ins; `sex` is left out (its code table is in no source, and the schema
 * makes it optional).
 */
export function demoBetaIdClaims(person: DemoIdentity, today: Date, documentNumber: string, origin: DemoOrigin = JURA_ORIGIN): Partial<BetaIdClaims> {
  const issued = isoDate(today);
  const expiry = new Date(Date.UTC(today.getUTCFullYear() + 5, today.getUTCMonth(), today.getUTCDate() - 1));
  const flag = (years: number) => String(hasTurned(person.birthDate, years, issued));
  return {
    given_name: person.givenName,
    family_name: person.familyName,
    birth_date: person.birthDate,
    age_birth_year: person.birthDate.slice(0, 4),
    age_over_16: flag(16),
    age_over_18: flag(18),
    age_over_65: flag(65),
    personal_administrative_number: person.avsNumber,
    nationality: 'CH',
    sex: undefined,
    place_of_origin: origin.placeOfOrigin,
    birth_place: origin.birthPlace,
    document_number: documentNumber,
    issuance_date: issued,
    expiry_date: isoDate(expiry),
    issuing_authority: 'Demo issuer (stand-in for the BCS)',
    issuing_country: 'CH',
  };
}

export interface DemoEidIssuer {
  url: string;
  did: string;
  kid: string;
  publicJwk: TestIssuer['publicJwk'];
  statusListUri: string;
  origin: string;
  close(): Promise<void>;
}

export interface DemoEidIssuerOptions {
  /** 0 lets the OS pick one. */
  port: number;
  /** Where the key pair, DID and status list are kept (made on the first start). */
  dir: string;
  host?: string;
  /** The issuer's clock (the age flags and the issuance date). */
  now?: () => Date;
  /** The demo people's place of origin and birth place (default Jura's). */
  origin?: DemoOrigin;
}

const credentialRequest = z.strictObject({
  sub: z.string().min(1).max(100),
  // A public EC P-256 key: the holder's private part never leaves the wallet.
  holderJwk: z.looseObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string().min(1),
    y: z.string().min(1),
    d: z.undefined('a public key only').optional(),
  }),
});
const statusRequest = z.strictObject({ idx: z.number().int().min(0), value: z.union([z.literal(0), z.literal(1), z.literal(2)]) });

const refuse = (res: Response, status: number, error: string) => res.status(status).json({ error });
const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join(', ');

function demoRoutes(app: Express, issuer: () => TestIssuer, now: () => Date, origin?: DemoOrigin): void {
  app.get('/_demo/issuer', (_req, res) => {
    const { did, kid, publicJwk, statusListUri } = issuer();
    res.json({ did, kid, publicJwk, statusListUri, vct: BETA_ID_VCT });
  });
  app.post('/_demo/credentials', express.json({ limit: '16kb' }), async (req, res) => {
    const body = credentialRequest.safeParse(req.body);
    if (!body.success) {
      refuse(res, 400, issues(body.error));
      return;
    }
    const index = DEMO_IDENTITIES.findIndex((p) => p.sub === body.data.sub);
    const person = DEMO_IDENTITIES[index];
    if (!person) {
      refuse(res, 404, 'no such demo identity (see fakes/demo-identities.json)');
      return;
    }
    const documentNumber = `BETA-ID-DEMO${String(index + 1).padStart(4, '0')}`;
    try {
      res.json(await issuer().issue(body.data.holderJwk, demoBetaIdClaims(person, now(), documentNumber, origin)));
    } catch (err) {
      refuse(res, 503, (err as Error).message.startsWith('the status list is full') ? (err as Error).message : 'could not issue');
    }
  });
  // 0 valid, 1 revoked, 2 suspended: what the verifier then reads in the status list.
  app.post('/_control/status', express.json({ limit: '1kb' }), (req, res) => {
    const body = statusRequest.safeParse(req.body);
    if (!body.success) {
      refuse(res, 400, `expected { idx: integer, value: 0 | 1 | 2 }: ${issues(body.error)}`);
      return;
    }
    try {
      issuer().setStatus(body.data.idx, body.data.value);
    } catch (err) {
      refuse(res, 400, (err as Error).message);
      return;
    }
    res.json(body.data);
  });
}

/** Starts the demo issuer; its DID and list survive a restart on the same `dir`. */
export async function startDemoEidIssuer(opts: DemoEidIssuerOptions): Promise<DemoEidIssuer> {
  const issuer = await startTestIssuer({
    name: 'DemoBcs',
    port: opts.port,
    host: opts.host,
    keyFile: join(opts.dir, 'issuer-key.json'),
    statusFile: join(opts.dir, 'status-list.json'),
    // 2 bits an entry: 4096 credentials in a 1 KiB list.
    listSize: 4096,
    routes: (app, self) => demoRoutes(app, self, opts.now ?? (() => new Date()), opts.origin),
  });
  const { did, kid, publicJwk, statusListUri, origin, close } = issuer;
  return { url: origin, did, kid, publicJwk, statusListUri, origin, close };
}
