// A stand-in for the commercial register (registre du commerce), which we cannot reach here.
// It speaks the paths and field names of Zefix's public REST API (ZefixPublicREST, the federal
// central business name index) for the entity itself, plus one extension of ours for the persons
// with signing powers, which Zefix does not serve (README.md says which part is which). It
// serves entities from a JSON fixture, checks the Basic credentials and the UID it is sent,
// and can be told to fail or be slow. It logs nothing: no names or birth dates in any log.
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';
import { isValidUid, normalizeUid } from '../../domain/uid';
import { FixtureError, loadFixtureFile } from '../fixture';
import { controlRoutes, FakeServiceState } from '../control';
export { FixtureError };

/**
 * The legal forms the fixtures use: the public code of eCH-0097 (Zefix's `legalForm.uid`), and
 * Zefix's internal id and names as we understand them (check against its `GET /api/v1/legalForm`).
 */
const LEGAL_FORMS = {
  '0101': { id: 1, de: 'Einzelunternehmen', fr: 'Entreprise individuelle', short: { de: 'EU', fr: 'EI' } },
  '0103': { id: 2, de: 'Kollektivgesellschaft', fr: 'Société en nom collectif', short: { de: 'KlG', fr: 'SNC' } },
  '0106': { id: 3, de: 'Aktiengesellschaft', fr: 'Société anonyme', short: { de: 'AG', fr: 'SA' } },
  '0107': { id: 4, de: 'Gesellschaft mit beschränkter Haftung', fr: 'Société à responsabilité limitée', short: { de: 'GmbH', fr: 'Sàrl' } },
  '0108': { id: 5, de: 'Genossenschaft', fr: 'Société coopérative', short: { de: 'Gen', fr: 'Coop' } },
  '0109': { id: 6, de: 'Verein', fr: 'Association', short: { de: 'Verein', fr: 'Assoc' } },
  '0110': { id: 7, de: 'Stiftung', fr: 'Fondation', short: { de: 'Stiftung', fr: 'Fondation' } },
} as const;
type LegalFormCode = keyof typeof LEGAL_FORMS;
const legalFormCodes = Object.keys(LEGAL_FORMS) as [LegalFormCode, ...LegalFormCode[]];

/** Our extension: how a person may sign, as the cantonal register extract says it. */
export const SIGNING_AUTHORITIES = ['INDIVIDUAL', 'COLLECTIVE_BY_TWO', 'COLLECTIVE', 'NONE'] as const;

const uidField = z.string().refine(isValidUid, 'not a valid UID (CHE-123.456.789 or CHE123456789, mod-11 check digit)');
const text = z.string().trim().min(1);

const personSchema = z
  .strictObject({
    lastName: text,
    firstName: text,
    /** The register states a birth date for some persons only. */
    birthDate: z.iso.date('expected a real date YYYY-MM-DD').optional(),
    /** Swiss citizens: their place of origin (lieu d'origine); others: their nationality. */
    placeOfOrigin: text.optional(),
    nationality: z
      .string()
      .regex(/^[A-Z]{2}$/, 'expected an ISO 3166 alpha-2 code, e.g. FR')
      .optional(),
    residence: text,
    function: text.optional(),
    signingAuthority: z.enum(SIGNING_AUTHORITIES),
  })
  .refine((p) => p.placeOfOrigin !== undefined || p.nationality !== undefined, {
    message: 'a place of origin (Swiss citizens) or a nationality is required',
    path: ['placeOfOrigin'],
  });

const entitySchema = z
  .strictObject({
    uid: uidField,
    name: text,
    legalForm: z.enum(legalFormCodes, `expected an eCH-0097 legal form code: ${legalFormCodes.join(', ')}`),
    legalSeat: text,
    canton: z.string().regex(/^[A-Z]{2}$/, 'expected a canton abbreviation, e.g. JU'),
    status: z.enum(['ACTIVE', 'BEING_CANCELLED', 'CANCELLED']),
    /** Zefix: date of the last publication in the SOGC. */
    sogcDate: z.iso.date('expected a real date YYYY-MM-DD').optional(),
    deletionDate: z.iso.date('expected a real date YYYY-MM-DD').optional(),
    purpose: text.optional(),
    address: z
      .strictObject({
        organisation: text.optional(),
        careOf: text.optional(),
        street: text,
        houseNumber: text.optional(),
        swissZipCode: z.string().regex(/^\d{4}$/, 'expected a Swiss postcode of 4 digits'),
        city: text,
      })
      .optional(),
    persons: z.array(personSchema),
  })
  .superRefine((e, ctx) => {
    // A deleted entity has a deletion date; one still in the register has none.
    if (e.status === 'CANCELLED' && e.deletionDate === undefined)
      ctx.addIssue({ code: 'custom', path: ['deletionDate'], message: 'required when status is CANCELLED' });
    if (e.status !== 'CANCELLED' && e.deletionDate !== undefined)
      ctx.addIssue({ code: 'custom', path: ['deletionDate'], message: 'only for status CANCELLED' });
  });
// `comment` lets the file say what it is for; it is never served.
const fixtureSchema = z.strictObject({ comment: z.string().optional(), entities: z.array(entitySchema) });

export type FakeEntity = z.infer<typeof entitySchema>;
export type FakeSignatory = z.infer<typeof personSchema>;

/**
 * Reads and checks a fixture file (UID check digits included); throws a FixtureError naming the
 * entry and field at fault. Messages name entries by index, never by name.
 */
export function loadCommercialRegisterFixture(fixturePath: string): FakeEntity[] {
  return loadFixtureFile('commercial register', fixturePath, fixtureSchema, 'entities', {
    field: 'uid',
    what: 'UID',
    key: (e) => normalizeUid(e.uid) as string,
  });
}

/** What the control endpoints change; shared by the app and the handle startFakeCommercialRegister returns. */
export class FakeCommercialRegisterState extends FakeServiceState {}

export interface Credentials {
  user: string;
  password: string;
}

/** What `npm start` and the tests use when nothing else is configured (the fake only). */
export const DEMO_CREDENTIALS: Credentials = { user: 'guichet-demo', password: 'demo-password' };

/** Zefix's RestApiErrorResponse. */
function zefixError(res: Response, status: number, type: 'INVALID_REQUEST_DATA' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR', message: string): void {
  res.status(status).json({ error: { type, message } });
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when the request carries `Authorization: Basic` with exactly these credentials. */
function authorized(req: Request, expected: Buffer): boolean {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.get('authorization') ?? '');
  if (!m?.[1]) return false;
  // Compared as digests: same length, constant time.
  return timingSafeEqual(digest(Buffer.from(m[1], 'base64').toString('utf8')), expected);
}

/** The Zefix CompanyFull of an entity (only the fields we keep in a fixture). */
function companyFull(e: FakeEntity) {
  const form = LEGAL_FORMS[e.legalForm];
  const bare = (normalizeUid(e.uid) as string).replace(/[-.]/g, '');
  return {
    name: e.name,
    uid: bare,
    legalSeat: e.legalSeat,
    legalForm: {
      id: form.id,
      uid: e.legalForm,
      name: { de: form.de, fr: form.fr, it: null, en: null },
      shortName: { de: form.short.de, fr: form.short.fr, it: null, en: null },
    },
    status: e.status,
    ...(e.sogcDate ? { sogcDate: e.sogcDate } : {}),
    ...(e.deletionDate ? { deletionDate: e.deletionDate } : {}),
    ...(e.purpose ? { purpose: e.purpose } : {}),
    ...(e.address ? { address: e.address } : {}),
    canton: e.canton,
  };
}

/** The express app alone (no listening): the fake register over `entities`, driven by `state`. */
export function createFakeCommercialRegisterApp(
  entities: readonly FakeEntity[],
  state = new FakeCommercialRegisterState(),
  credentials: Credentials = DEMO_CREDENTIALS,
): Express {
  const byUid = new Map(entities.map((e) => [normalizeUid(e.uid) as string, e]));
  const expected = digest(`${credentials.user}:${credentials.password}`);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  /** Counts the lookup, then answers after the configured latency: 503 while down, 401 without the credentials. */
  function lookup(answer: (entity: FakeEntity, uid: string, res: Response) => void) {
    return (req: Request<{ id: string }>, res: Response) => {
      state.requests += 1;
      const respond = () => {
        if (state.down) {
          zefixError(res, 503, 'INTERNAL_SERVER_ERROR', 'commercial register unavailable');
          return;
        }
        if (!authorized(req, expected)) {
          res.set('www-authenticate', 'Basic realm="ZefixPublicREST"');
          res.status(401).json({ error: { type: 'UNAUTHORIZED', message: 'credentials required' } });
          return;
        }
        const uid = normalizeUid(req.params.id);
        if (uid === null) {
          zefixError(res, 400, 'INVALID_REQUEST_DATA', 'malformed UID');
          return;
        }
        const entity = byUid.get(uid);
        if (!entity) {
          zefixError(res, 404, 'NOT_FOUND', 'not found');
          return;
        }
        answer(entity, uid, res);
      };
      state.delayed(res, respond);
    };
  }

  // Zefix: "Get detailed company info by UID"; an array of CompanyFull.
  app.get(
    '/api/v1/company/uid/:id',
    lookup((entity, _uid, res) => {
      res.json([companyFull(entity)]);
    }),
  );

  // Our extension: the persons entered in the register with their function and signing authority.
  app.get(
    '/api/v1/company/uid/:id/persons',
    lookup((entity, uid, res) => {
      res.json({
        uid: uid.replace(/[-.]/g, ''),
        persons: entity.persons.map((p) => ({
          lastName: p.lastName,
          firstName: p.firstName,
          ...(p.birthDate ? { birthDate: p.birthDate } : {}),
          ...(p.placeOfOrigin ? { placeOfOrigin: p.placeOfOrigin } : {}),
          ...(p.nationality ? { nationality: p.nationality } : {}),
          residence: p.residence,
          ...(p.function ? { function: p.function } : {}),
          signingAuthority: p.signingAuthority,
        })),
      });
    }),
  );

  // Control endpoints are outside /api: no credentials, as for the other fakes.
  controlRoutes(app, state);

  // Unknown paths 404, and errors answered without their content (fakes/http.ts).
  return finishApp(app);
}

export interface FakeCommercialRegisterOptions {
  /** 0 lets the OS pick one */
  port: number;
  host?: string;
  fixturePath: string;
  /** The Basic credentials it accepts (default DEMO_CREDENTIALS). */
  credentials?: Credentials;
}

export interface FakeCommercialRegister {
  /** The base the adapter is given, e.g. http://127.0.0.1:4060 (Zefix: …/ZefixPublicREST). */
  url: string;
  /** Every lookup answers 503 while down. */
  setOutage(down: boolean): void;
  /** Delays every lookup by `ms`. */
  setLatency(ms: number): void;
  /** Lookups received, including those answered 401, 400 or 503. */
  requests(): number;
  close(): Promise<void>;
}

/** Loads the fixture (rejects with a FixtureError if it is bad) and listens. */
export async function startFakeCommercialRegister({
  port,
  host = '127.0.0.1',
  fixturePath,
  credentials = DEMO_CREDENTIALS,
}: FakeCommercialRegisterOptions): Promise<FakeCommercialRegister> {
  const entities = loadCommercialRegisterFixture(fixturePath);
  const state = new FakeCommercialRegisterState();
  const app = createFakeCommercialRegisterApp(entities, state, credentials);
  const { url, close } = await listenOn(app, port, host, () => {
    state.clearTimers();
  });
  return {
    url,
    setOutage: (down) => state.setOutage(down),
    setLatency: (ms) => state.setLatency(ms),
    requests: () => state.requests,
    close,
  };
}
