// The engine's seal on the documents it issues (infra/seal.ts): a sealed attestation still reads
// as before, verifies with the public seal certificate, and stops verifying when one byte of it
// changes, when another key sealed it, or when it was never sealed. OpenSSL, when installed,
// checks the CMS independently: the seal is standard CMS, not only consistent with itself.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { PDFDict, PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';
import { loadSealKey, makeDemoSealKey, sealKeyToPem, sealPdf, verifySealedPdf, type SealKey } from '../../infra/seal';
import { pdfText } from '../support/pdf';

const run = promisify(execFile);
const SENTENCE = 'La commune atteste que la personne nommée ci-dessous est domiciliée à Delémont.';
const ORGANISATION = 'Commune de Delémont';
const WORDS = { reason: 'Attestation de domicile délivrée par la commune', location: 'Delémont', name: ORGANISATION, contactInfo: 'guichet@delemont.example' };
const hasTool = (tool: string) => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const withOpenssl = hasTool('openssl') ? it : it.skip;

let key: SealKey;
let attestation: Buffer;
let sealed: Buffer;
// Now, to the second (a PDF date has no milliseconds): inside the fresh demo certificate's validity.
const SEALED_AT = new Date(Math.floor(Date.now() / 1000) * 1000);
const tmp = mkdtempSync(join(tmpdir(), 'seal-test-'));

async function attestationPdf(sentence: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  page.drawText(sentence, { x: 56, y: 760, size: 10, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

/** The last signature's /ByteRange and the CMS in its /Contents, as a verifier reads them. */
function signatureOf(pdf: Buffer): { range: number[]; cms: Buffer; signed: Buffer } {
  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/g)];
  const range = ranges[ranges.length - 1]!.slice(1, 5).map(Number);
  const [, length1, offset2, length2] = range as [number, number, number, number];
  const contents = Buffer.from(text.slice(length1 + 1, offset2 - 1), 'hex');
  // The CMS is a DER SEQUENCE with a two-byte length (30 82 hi lo); zeros pad it to the placeholder.
  expect(contents[0]).toBe(0x30);
  expect(contents[1]).toBe(0x82);
  const cms = contents.subarray(0, 4 + contents.readUInt16BE(2));
  return { range, cms, signed: Buffer.concat([pdf.subarray(0, length1), pdf.subarray(offset2, offset2 + length2)]) };
}

function withByte(pdf: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(pdf);
  copy[at] = value;
  return copy;
}

beforeAll(async () => {
  key = await makeDemoSealKey({ canton: 'JU', organisation: ORGANISATION });
  attestation = await attestationPdf(SENTENCE);
  sealed = await sealPdf(attestation, key, WORDS, SEALED_AT);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a sealed attestation', () => {
  it('still reads as before, and verifies with the seal certificate as a PAdES seal over the whole file', async () => {
    const content = await pdfText(sealed);
    const result = await verifySealedPdf(sealed, key.certificatePem);

    expect(content.text).toContain(SENTENCE);
    expect(result).toEqual({
      valid: true,
      coversWholeDocument: true,
      subFilter: 'ETSI.CAdES.detached',
      signer: expect.stringContaining(ORGANISATION),
      signedAt: SEALED_AT.toISOString(),
    });
    expect(result.signer).toMatch(/CN=Sceau de démonstration — Commune de Delémont \(pas pour la production\)/);
  });

  it('shows the words of the seal as written, accents and dashes included', async () => {
    const doc = await PDFDocument.load(sealed);
    const signature = doc.context
      .enumerateIndirectObjects()
      .map(([, obj]) => obj)
      .find((obj): obj is PDFDict => obj instanceof PDFDict && obj.has(PDFName.of('ByteRange')))!;

    const text = (name: string) => signature.lookup(PDFName.of(name), PDFString).decodeText();

    expect(text('Reason')).toBe(WORDS.reason);
    expect(text('Location')).toBe(WORDS.location);
    expect(text('Name')).toBe(WORDS.name);
    expect(text('ContactInfo')).toBe(WORDS.contactInfo);
  });

  it('is refused a second seal, which would break the first', async () => {
    await expect(sealPdf(sealed, key, WORDS)).rejects.toThrow(/signed already/);
  });
});

describe('a sealed attestation that was changed', () => {
  it('does not verify when one byte outside the signature changed: the digest does not match', async () => {
    // A forger rewrites the reason the seal states ("Attestation" → "Bttestation").
    const at = sealed.indexOf('/Reason (Attestation') + '/Reason ('.length;
    const forged = withByte(sealed, at, 'B'.charCodeAt(0));

    const result = await verifySealedPdf(forged, key.certificatePem);

    expect(result).toMatchObject({ valid: false, coversWholeDocument: true, reason: expect.stringMatching(/digest .*does not match/) });
  });

  it('does not verify when one byte of the signature changed', async () => {
    // The last byte of the CMS is the last byte of the signature value (there are no unsigned attributes).
    const { range, cms } = signatureOf(sealed);
    const at = range[1]! + 1 + 2 * cms.length - 1;
    const forged = withByte(sealed, at, sealed[at] === '0'.charCodeAt(0) ? '1'.charCodeAt(0) : '0'.charCodeAt(0));

    const result = await verifySealedPdf(forged, key.certificatePem);

    expect(result).toMatchObject({ valid: false, reason: expect.stringMatching(/signature .*does not verify/) });
  });

  it('does not verify when something was appended after the seal', async () => {
    const appended = Buffer.concat([sealed, Buffer.from('\n% added later\n')]);

    const result = await verifySealedPdf(appended, key.certificatePem);

    expect(result).toMatchObject({ valid: false, coversWholeDocument: false, reason: expect.stringMatching(/after the sealed range/) });
  });
});

describe('who sealed it', () => {
  it('a seal is not trusted with another demo key’s certificate (an untrusted signer)', async () => {
    const other = await makeDemoSealKey({ canton: 'NE', organisation: ORGANISATION });

    const result = await verifySealedPdf(sealed, other.certificatePem);

    expect(result).toMatchObject({ valid: false, coversWholeDocument: true, reason: expect.stringMatching(/untrusted signer/) });
  });

  it('a seal certificate issued by the trusted CA verifies, with the CA in the CMS', async () => {
    const crypto = globalThis.crypto;
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const [caKeys, sealKeys] = [await crypto.subtle.generateKey(alg, true, ['sign', 'verify']), await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])];
    const ca = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: 'CN=Demo cantonal CA, C=CH',
        keys: caKeys,
        signingAlgorithm: alg,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
      },
      crypto,
    );
    const sealCert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: '02',
        subject: `CN=Sceau, O=${ORGANISATION}, C=CH`,
        issuer: ca.subject,
        publicKey: sealKeys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: alg,
        extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true)],
      },
      crypto,
    );
    const issued: SealKey = { privateKey: sealKeys.privateKey, certificatePem: sealCert.toString('pem'), chainPem: [ca.toString('pem')] };

    const result = await verifySealedPdf(await sealPdf(attestation, issued, WORDS), ca.toString('pem'));

    expect(result).toMatchObject({ valid: true, signer: expect.stringContaining('CN=Sceau') });
  });
});

describe('what is not a sealed PDF', () => {
  it('an unsigned PDF is not valid, without throwing', async () => {
    await expect(verifySealedPdf(attestation, key.certificatePem)).resolves.toEqual({
      valid: false,
      coversWholeDocument: false,
      reason: 'the PDF has no signature',
    });
  });

  it('random bytes are not valid, without throwing', async () => {
    const result = await verifySealedPdf(randomBytes(4096), key.certificatePem);

    expect(result).toMatchObject({ valid: false, coversWholeDocument: false, reason: expect.any(String) });
  });

  it('a /ByteRange whose /Contents is not a CMS is not valid, without throwing', async () => {
    const { range } = signatureOf(sealed);
    const garbled = Buffer.from(sealed);
    garbled.write('ff'.repeat(64), range[1]! + 1, 'latin1');

    const result = await verifySealedPdf(garbled, key.certificatePem);

    expect(result).toMatchObject({ valid: false, reason: expect.any(String) });
  });
});

describe('the key handed from one process to another', () => {
  it('seals, after a round trip through PEM, what the original certificate verifies', async () => {
    const pem = await sealKeyToPem(key);
    const loaded = await loadSealKey(pem);

    const result = await verifySealedPdf(await sealPdf(attestation, loaded, WORDS), key.certificatePem);

    expect(pem.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(loaded.privateKey.extractable).toBe(false);
    expect(result).toMatchObject({ valid: true, coversWholeDocument: true });
  });

  it('refuses a key that is not the certificate’s', async () => {
    const other = await sealKeyToPem(await makeDemoSealKey({ canton: 'JU', organisation: ORGANISATION }));

    await expect(loadSealKey({ keyPem: other.keyPem, certificatePem: key.certificatePem })).rejects.toThrow(/does not belong/);
  });
});

describe('an independent check', () => {
  withOpenssl('OpenSSL verifies the CMS over the signed ranges with the seal certificate', async () => {
    const { cms, signed } = signatureOf(sealed);
    const [sig, data, cert] = [join(tmp, 'sig.der'), join(tmp, 'data.bin'), join(tmp, 'cert.pem')];
    writeFileSync(sig, cms);
    writeFileSync(data, signed);
    writeFileSync(cert, key.certificatePem);

    // -partial_chain: the self-signed seal certificate is trusted as it is (it is no CA: no keyCertSign).
    const { stderr } = await run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      sig,
      '-content',
      data,
      '-CAfile',
      cert,
      '-partial_chain',
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);

    expect(stderr).toMatch(/Verification successful/);
  });

  withOpenssl('OpenSSL sees the PAdES attributes: content-type, message-digest, signing-certificate-v2 and no signing-time', async () => {
    const { cms } = signatureOf(sealed);
    const sig = join(tmp, 'sig-print.der');
    writeFileSync(sig, cms);

    const { stdout } = await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sig]);

    expect(stdout).toMatch(/object: contentType/);
    expect(stdout).toMatch(/object: messageDigest/);
    expect(stdout).toMatch(/object: id-smime-aa-signingCertificateV2|1\.2\.840\.113549\.1\.9\.16\.2\.47/);
    expect(stdout).not.toMatch(/signingTime/);
  });
});
