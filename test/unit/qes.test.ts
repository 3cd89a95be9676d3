// Qualified electronic signatures over real HTTP on loopback: the test QCA issues the demo
// people's certificates and serves its CRL, the verifier checks a detached CAdES-BES signature
// of a terms document, and each way a signature can be wrong ends at the check that names it.
// No database or Temporal: everything listens on 127.0.0.1 and is closed afterwards.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, type webcrypto as nodeWebcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createTestQca, signCades, type IssuedPerson, type TestQca } from '../../fakes/qca/authority';
import { startFakeQca, type FakeQca } from '../../fakes/qca/server';
import { createQesVerifier, loadQesConfig, type QesResult } from '../../infra/qes/verify';

const TERMS = new TextEncoder().encode('Conditions générales, version 2026-01: le contrat est conclu pour une durée indéterminée.');
const ADELE = { givenName: 'Adèle', familyName: 'Exemple' };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const derOfPem = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');

let qca: FakeQca;
let mallory: TestQca;
let adele: IssuedPerson;
const tmp = mkdtempSync(join(tmpdir(), 'qes-test-'));

beforeAll(async () => {
  qca = await startFakeQca({ port: 0 });
  adele = qca.personBySub('demo-adele')!;
  // A CA anyone could make, serving no CRL: not in the trust list.
  mallory = await createTestQca({ name: 'Mallory CA', crlUrl: 'http://127.0.0.1:9/crl' });
});

afterAll(async () => {
  await qca?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function verifier(extraCas: string[] = []) {
  return createQesVerifier({ qualifiedCas: [qca.caPem, ...extraCas], crlTimeoutMs: 2000 });
}

async function verify(signatureBase64: string, opts: { document?: Uint8Array; expectedSigner?: typeof ADELE } = {}): Promise<QesResult> {
  return verifier().verify({ signatureBase64, document: opts.document ?? TERMS, expectedSigner: opts.expectedSigner ?? ADELE });
}

function expectRefused(result: QesResult, check: string, retryable = false) {
  expect(result).toEqual({ ok: false, check, reason: expect.any(String), retryable });
  // The reason is for logs and answers: never a name.
  if (!result.ok) expect(result.reason).not.toMatch(/Adèle|Exemple|Mallory|CN=/);
}

describe('a valid qualified signature', () => {
  it('verifies, with the evidence the engine keeps', async () => {
    const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const result = await verify(await qca.authority.sign(TERMS, adele, { signingTime }));

    expect(result).toEqual({
      ok: true,
      evidence: {
        signingTime: signingTime.toISOString(),
        signer: { commonName: 'Adèle Exemple', givenName: 'Adèle', surname: 'Exemple' },
        certificateSha256: sha256(derOfPem(adele.certPem)),
        serialNumber: adele.serialNumber,
        issuer: 'C=CH,O=guichet-engine test authority,CN=Demo Qualified CA',
        caCertificateSha256: sha256(derOfPem(qca.caPem)),
        revocation: { crlUrl: qca.crlUrl, thisUpdate: expect.any(String), nextUpdate: expect.any(String), checkedAt: expect.any(String) },
      },
    });
  });

  it('matches the expected signer whatever the case, spacing and Unicode form of the names', async () => {
    const signature = await qca.authority.sign(TERMS, adele);

    const result = await verify(signature, { expectedSigner: { givenName: ' ADE\u0300LE ', familyName: 'exemple' } });

    expect(result.ok).toBe(true);
  });
});

describe('each way a signature is wrong ends at its check', () => {
  it('garbage is not a signature (format)', async () => {
    expectRefused(await verify('this is not base64 at all!'), 'format');
  });

  it('16 random base64 characters are not a signature (format)', async () => {
    expectRefused(await verify(randomBytes(12).toString('base64')), 'format');
  });

  it('a signature without the ESS signing-certificate-v2 attribute is not CAdES-BES (format)', async () => {
    expectRefused(await verify(await qca.authority.sign(TERMS, adele, { omitSigningCertificate: true })), 'format');
  });

  it('a signature over another document (document)', async () => {
    const signature = await qca.authority.sign(new TextEncoder().encode('older terms'), adele);

    expectRefused(await verify(signature), 'document');
  });

  it('a flipped byte in the signature value (signature)', async () => {
    const der = Buffer.from(await qca.authority.sign(TERMS, adele), 'base64');
    // The SignerInfo's signature is the last element of the DER: its last byte is the end of s.
    der.writeUInt8(der.readUInt8(der.length - 1) ^ 0x01, der.length - 1);

    expectRefused(await verify(der.toString('base64')), 'signature');
  });

  it('a certificate from a CA that is not recognised (chain)', async () => {
    const person = await mallory.issuePerson(ADELE);

    expectRefused(await verify(await mallory.sign(TERMS, person)), 'chain');
  });

  it('a certificate without the QcCompliance statement (qualified)', async () => {
    const person = await qca.authority.issuePerson({ ...ADELE, qualified: false });

    expectRefused(await verify(await qca.authority.sign(TERMS, person)), 'qualified');
  });

  it('a certificate without nonRepudiation (qualified)', async () => {
    const person = await qca.authority.issuePerson({ ...ADELE, nonRepudiation: false });

    expectRefused(await verify(await qca.authority.sign(TERMS, person)), 'qualified');
  });

  it('a signature made after the certificate expired (validity)', async () => {
    const day = 86_400_000;
    const person = await qca.authority.issuePerson({ ...ADELE, notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) });

    expectRefused(await verify(await qca.authority.sign(TERMS, person)), 'validity');
  });

  it('a signing time beyond the clock skew (validity)', async () => {
    const signature = await qca.authority.sign(TERMS, adele, { signingTime: new Date(Date.now() + 3_600_000) });

    expectRefused(await verify(signature), 'validity');
  });

  it('a revoked certificate (revocation, not retryable)', async () => {
    const person = await qca.authority.issuePerson(ADELE);
    const signature = await qca.authority.sign(TERMS, person);
    expect((await verify(signature)).ok).toBe(true);

    const res = await fetch(`${qca.url}/_control/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serialNumber: person.serialNumber }),
    });
    expect(res.status).toBe(200);

    expectRefused(await verify(signature), 'revocation', false);
  });

  it('a CRL that cannot be fetched (revocation, retryable)', async () => {
    const gone = await startFakeQca({ port: 0 });
    const signature = await gone.authority.sign(TERMS, gone.personBySub('demo-adele')!);
    await gone.close();

    const result = await createQesVerifier({ qualifiedCas: [gone.caPem] }).verify({ signatureBase64: signature, document: TERMS, expectedSigner: ADELE });

    expectRefused(result, 'revocation', true);
  });

  it('a CRL not signed by the issuing CA (revocation, retryable)', async () => {
    const forged = await createQesVerifier({ qualifiedCas: [qca.caPem], fetchCrl: async () => (await createTestQca({ crlUrl: 'http://x/' })).crlDer() }).verify(
      {
        signatureBase64: await qca.authority.sign(TERMS, adele),
        document: TERMS,
        expectedSigner: ADELE,
      },
    );

    expectRefused(forged, 'revocation', true);
  });

  it("another person's certificate (signer)", async () => {
    const signature = await qca.authority.sign(TERMS, qca.personBySub('demo-bernard')!);

    expectRefused(await verify(signature), 'signer');
  });
});

/** A CAdES-BES signature by a self-signed certificate of any key type (the authority makes P-256 only). */
async function signWithKeyType(
  alg: { name: string; hash: string; namedCurve?: string; saltLength?: number },
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512',
  document: Uint8Array,
): Promise<string> {
  const webcrypto = globalThis.crypto;
  const keys = (await webcrypto.subtle.generateKey(alg as Parameters<typeof webcrypto.subtle.generateKey>[0], true, [
    'sign',
    'verify',
  ])) as nodeWebcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=Key Type Test', keys, signingAlgorithm: alg }, webcrypto);
  return signCades(document, cert.rawData, keys.privateKey, { hash });
}

describe('signature algorithms', () => {
  const rsa = { publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048, hash: 'SHA-256' };
  // A self-signed certificate is no recognised CA: 'chain' means the signature itself verified.
  it.each([
    ['RSA PKCS#1 v1.5', { name: 'RSASSA-PKCS1-v1_5', ...rsa }, 'SHA-256' as const, 'chain'],
    ['RSA-PSS', { name: 'RSA-PSS', saltLength: 32, ...rsa }, 'SHA-256' as const, 'chain'],
    ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }, 'SHA-384' as const, 'chain'],
    ['ECDSA P-521 (not accepted)', { name: 'ECDSA', namedCurve: 'P-521', hash: 'SHA-512' }, 'SHA-512' as const, 'signature'],
  ])('%s', async (_name, alg, hash, check) => {
    expectRefused(await verify(await signWithKeyType(alg, hash, TERMS)), check);
  });
});

describe('loadQesConfig', () => {
  it('reads the CA files named in QES_TRUSTED_CA_FILES, several certificates to a file', async () => {
    const both = join(tmp, 'both.pem');
    writeFileSync(both, `${qca.caPem}\n${mallory.caPem}`);
    const person = await mallory.issuePerson(ADELE);

    const config = loadQesConfig({ QES_TRUSTED_CA_FILES: `${qca.caFile}, ${both}` });

    expect(config.qualifiedCas).toHaveLength(2);
    // Mallory's CA is now trusted: its signature gets past the chain (and fails at its CRL).
    const result = await createQesVerifier({ ...config, crlTimeoutMs: 500 }).verify({
      signatureBase64: await mallory.sign(TERMS, person),
      document: TERMS,
      expectedSigner: ADELE,
    });
    expectRefused(result, 'revocation', true);
  });

  it.each([
    ['missing', {}],
    ['empty', { QES_TRUSTED_CA_FILES: ' , ' }],
    ['unreadable', { QES_TRUSTED_CA_FILES: join(tmp, 'no-such.pem') }],
    ['not a certificate', { QES_TRUSTED_CA_FILES: (writeFileSync(join(tmp, 'key.pem'), 'hello'), join(tmp, 'key.pem')) }],
  ])('names QES_TRUSTED_CA_FILES when it is %s', (_what, env) => {
    expect(() => loadQesConfig(env)).toThrow(/QES_TRUSTED_CA_FILES/);
  });
});

describe('npm run sign (the demo signing tool)', () => {
  it('signs a file with a demo person certificate kept by the QCA, and the signature verifies', async () => {
    const dir = join(tmp, 'qca');
    const kept = await startFakeQca({ port: 0, dir });
    try {
      expect(statSync(join(dir, 'people.json')).mode & 0o777).toBe(0o600);
      const file = join(tmp, 'terms.txt');
      writeFileSync(file, TERMS);
      const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);

      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/sign.ts', '--as', 'demo-adele', '--dir', dir, '--at', new Date(at.getTime() + 250).toISOString(), file],
        {
          cwd: join(__dirname, '..', '..'),
        },
      );

      const out = JSON.parse(stdout) as { documentSha256: string; signatureValue: string; signedAt: string };
      expect(out.documentSha256).toBe(sha256(TERMS));
      expect(out.signedAt).toBe(at.toISOString());
      const result = await createQesVerifier({ qualifiedCas: [kept.caPem], now: () => new Date() }).verify({
        signatureBase64: out.signatureValue,
        document: TERMS,
        expectedSigner: ADELE,
      });
      expect(result).toMatchObject({ ok: true, evidence: { signingTime: out.signedAt, serialNumber: kept.personBySub('demo-adele')!.serialNumber } });
    } finally {
      await kept.close();
    }
  });

  it('names the known subjects for an unknown one', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/sign.ts', '--as', 'demo-nobody', '--dir', join(tmp, 'qca'), __filename], {
      cwd: join(__dirname, '..', '..'),
    });

    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/demo-nobody.*known: demo-adele, demo-bernard/s) });
  });
});
