// The test qualified CA as a service: it publishes its CRL over HTTP, as a ZertES provider does
// at the URL in its certificates' CRL Distribution Points, and issues a qualified certificate to
// each demo identity (fakes/demo-identities.json). With `dir`, the CA and the issued keys
// persist there, so restarts keep the same CA. It logs nothing.
import express from 'express';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';
import { createTestQca, loadTestQca, type IssuedPerson, type TestQca, type TestQcaJson } from './authority';

export const CRL_PATH = '/crl/demo-qca.crl';
const CA_FILE = 'ca.json';
const PEOPLE_FILE = 'people.json';
const CA_PEM_FILE = 'ca.pem';

const demoIdentitiesSchema = z.object({
  identities: z.array(z.object({ sub: z.string().min(1), givenName: z.string().min(1), familyName: z.string().min(1) })),
});

/** The demo people the QCA certifies (sign-in subject and names). */
export function demoIdentities(): z.infer<typeof demoIdentitiesSchema>['identities'] {
  return demoIdentitiesSchema.parse(JSON.parse(readFileSync(join(__dirname, '..', 'demo-identities.json'), 'utf8'))).identities;
}

/** Issued certificates by sign-in subject, with the CRL URL they carry. */
export type PeopleJson = Record<string, IssuedPerson & { crlUrl: string }>;

/** Reads the state `startFakeQca({ dir })` keeps: the CA and the people's certificates and keys. */
export function readQcaDir(dir: string): { ca: TestQcaJson; people: PeopleJson } | null {
  if (!existsSync(join(dir, CA_FILE))) return null;
  const people = existsSync(join(dir, PEOPLE_FILE)) ? (JSON.parse(readFileSync(join(dir, PEOPLE_FILE), 'utf8')) as PeopleJson) : {};
  return { ca: JSON.parse(readFileSync(join(dir, CA_FILE), 'utf8')) as TestQcaJson, people };
}

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode otherwise
}

export interface FakeQcaOptions {
  /** 0 lets the OS pick one; the CRL URL in the certificates depends on it */
  port: number;
  host?: string;
  /** Where the CA and the issued certificates and keys persist (mode 0600); none: memory and a temp CA file. */
  dir?: string;
}

export interface FakeQca {
  url: string;
  crlUrl: string;
  caPem: string;
  /** A PEM file with the CA certificate (for QES_TRUSTED_CA_FILES). */
  caFile: string;
  /** The authority itself, to issue more people and sign (tests). */
  authority: TestQca;
  personBySub(sub: string): IssuedPerson | undefined;
  revoke(serialNumber: string): void;
  close(): Promise<void>;
}

const revokeBody = z.strictObject({ serialNumber: z.string().regex(/^[0-9a-fA-F]{1,40}$/, 'a hex serial number') });

export async function startFakeQca({ port, host = '127.0.0.1', dir }: FakeQcaOptions): Promise<FakeQca> {
  // The CRL URL goes into the certificates, so the authority is made once the port is known.
  const ready: { authority?: TestQca } = {};
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((_req, res, next) => {
    if (ready.authority) next();
    else res.status(503).json({ error: 'starting' });
  });
  app.get(CRL_PATH, (_req, res, next) => {
    ready.authority!.crlDer().then((der) => res.type('application/pkix-crl').set('cache-control', 'no-store').send(Buffer.from(der)), next);
  });
  app.get('/_control/ca.pem', (_req, res) => {
    res.type('application/x-pem-file').send(ready.authority!.caPem);
  });
  app.post('/_control/revoke', express.json(), (req, res) => {
    const body = revokeBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { serialNumber: hex }' });
      return;
    }
    revoke(body.data.serialNumber);
    res.json({ revoked: body.data.serialNumber.toLowerCase() });
  });
  finishApp(app);
  const server = await listenOn(app, port, host);
  const crlUrl = `${server.url}${CRL_PATH}`;

  const saved = dir ? readQcaDir(dir) : null;
  const authority = saved ? await loadTestQca(saved.ca, { crlUrl }) : await createTestQca({ crlUrl });
  ready.authority = authority;
  const people: PeopleJson = saved?.people ?? {};
  // Someone without a certificate, or with one pointing at another port's CRL, gets a new one.
  for (const p of demoIdentities()) {
    if (people[p.sub]?.crlUrl === crlUrl) continue;
    people[p.sub] = { ...(await authority.issuePerson({ givenName: p.givenName, familyName: p.familyName })), crlUrl };
  }
  const stateDir = dir ?? mkdtempSync(join(tmpdir(), 'fake-qca-'));
  const persist = () => {
    if (!dir) return;
    writeSecret(join(dir, CA_FILE), JSON.stringify(authority.toJSON(), null, 2));
    writeSecret(join(dir, PEOPLE_FILE), JSON.stringify(people, null, 2));
  };
  if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  persist();
  const caFile = join(stateDir, CA_PEM_FILE);
  writeFileSync(caFile, authority.caPem);

  function revoke(serialNumber: string) {
    authority.revoke(serialNumber);
    persist();
  }

  return {
    url: server.url,
    crlUrl,
    caPem: authority.caPem,
    caFile,
    authority,
    personBySub: (sub) => {
      const person = people[sub];
      return person && { certPem: person.certPem, keyPkcs8Pem: person.keyPkcs8Pem, serialNumber: person.serialNumber };
    },
    revoke,
    close: async () => {
      await server.close();
      if (!dir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
