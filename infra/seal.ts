// The engine's electronic seal on the documents it issues (a commune's residence attestation put
// in a citizen's inbox): a PAdES baseline B-B signature (ETSI EN 319 142-1) that anyone holding
// the public seal certificate can check, with Acrobat, with OpenSSL or with verifySealedPdf.
//
// The PDF plumbing is @signpdf's: pdf-lib adds the signature field and a /Contents placeholder,
// @signpdf/signpdf fills in the /ByteRange and hands the signed bytes to our Signer. The CMS is
// ours (PKI.js): node-forge's signer cannot add the ESS signing-certificate-v2 attribute that
// PAdES B-B requires, which binds the signature to the seal certificate (a look-alike
// certificate with the same key cannot be swapped in).
//
// Deliberate choices:
// - No signing-time attribute in the CMS: PAdES puts the claimed time in the signature
//   dictionary's /M (ETSI EN 319 142-1 keeps signing-time out of PAdES B-B). It is what the
//   engine claims, not a trusted timestamp: a B-T level would add an RFC 3161 token later.
// - The document is rewritten by pdf-lib before it is sealed, not incrementally updated: the
//   engine seals documents it produced, and a PDF that already carries a signature is refused
//   (rewriting would break that one).
// - Keys are WebCrypto CryptoKeys (ECDSA P-256 for the demo key; P-384 and RSA load too), so
//   the same key object works with PKI.js and @peculiar/x509 and can be non-extractable in the
//   worker.
// Nothing here logs; errors and reasons never carry a document's content or a key.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import * as pkijs from 'pkijs';

type CryptoKey = webcrypto.CryptoKey;

const crypto = globalThis.crypto;
const engine = new pkijs.CryptoEngine({ name: 'webcrypto', crypto });

/** A seal key as the worker holds it. */
export interface SealKey {
  /** WebCrypto private key with the 'sign' usage: ECDSA (P-256, P-384) or RSA (PKCS#1 v1.5, PSS). */
  privateKey: CryptoKey;
  /** The seal certificate (PEM) whose public key is the private key's: it goes into every seal. */
  certificatePem: string;
  /**
   * The issuing CA certificates (PEM), the seal certificate's issuer first, put into the CMS so a
   * verifier that trusts only the root can build the chain. None for a self-signed seal.
   */
  chainPem?: string[];
}

/** The words of the signature dictionary a PDF reader shows next to the seal. */
export interface SealWords {
  /** /Reason, e.g. "Attestation de domicile délivrée par la commune" */
  reason: string;
  /** /Location, e.g. "Delémont" */
  location: string;
  /** /Name: who seals (the unit or the canton), not a person */
  name: string;
  /** /ContactInfo, e.g. the counter's address or phone */
  contactInfo?: string;
}

export interface SealVerification {
  /** The signature verifies, covers the whole file, is PAdES, and its signer is the trusted certificate or issued by it. */
  valid: boolean;
  /** Why it is not valid (for logs and answers; never the document's content). */
  reason?: string;
  /** Subject DN of the signer certificate, when the CMS could be read. */
  signer?: string;
  /** ISO instant of the signature dictionary's /M: the time the sealer claims, not a timestamp. */
  signedAt?: string;
  /** The last signature's /ByteRange covers every byte of the file but its /Contents. */
  coversWholeDocument: boolean;
  /** /SubFilter of the last signature, e.g. ETSI.CAdES.detached */
  subFilter?: string;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  ecPublicKey: '1.2.840.10045.2.1',
  rsa: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
} as const;

/** The digests a seal may use (ETSI TS 119 312: no SHA-1). */
const DIGESTS: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const YEAR_MS = 365 * 86_400_000;
/** Room in /Contents for the CMS besides its certificates: signed attributes, a 4096-bit RSA signature, DER headers. */
const CMS_OVERHEAD_BYTES = 4096;

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const toArrayBuffer = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
const derOfCertificate = (cert: pkijs.Certificate) => new Uint8Array(cert.toSchema().toBER(false));

function certificatesOfPem(pem: string, where: string): Uint8Array[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new Error(`${where}: no PEM certificate`);
  return blocks.map((b) => new Uint8Array(Buffer.from(b[1]!.replace(/\s+/g, ''), 'base64')));
}

function parseCertificate(der: Uint8Array, where: string): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(der);
  } catch {
    throw new Error(`${where}: not an X.509 certificate`);
  }
}

/**
 * A PDF text string, escaped, to be written verbatim between parentheses: printable ASCII as is,
 * anything else as UTF-16BE with its byte-order mark (PDF 32000-1 7.9.2.2), every byte that is
 * not printable ASCII written as an octal escape so the dictionary stays 7-bit and unambiguous.
 */
function pdfTextLiteral(text: string): string {
  const ascii = /^[\x20-\x7e]*$/.test(text);
  const bytes = ascii ? Buffer.from(text, 'latin1') : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  let out = '';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** The signed attributes of a PAdES B-B CMS, in DER order (a SET OF is sorted by its encodings, X.690 11.6). */
function signedAttributes(digest: Uint8Array, cert: pkijs.Certificate, certDer: Uint8Array): pkijs.Attribute[] {
  // SigningCertificateV2 { certs: [ESSCertIDv2 { hashAlgorithm DEFAULT sha256 (so left out), certHash, issuerSerial }] } (RFC 5035 3)
  const issuerSerial = new asn1js.Sequence({
    value: [
      new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: cert.issuer })] }).toSchema(),
      new asn1js.Integer({ valueHex: cert.serialNumber.valueBlock.valueHexView }),
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certDer)) }), issuerSerial] });
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })] }),
  ];
  const encoded = (a: pkijs.Attribute) => Buffer.from(a.toSchema().toBER(false));
  return attributes.sort((a, b) => {
    const [x, y] = [encoded(a), encoded(b)];
    const length = Math.max(x.length, y.length);
    return Buffer.concat([x, Buffer.alloc(length - x.length)]).compare(Buffer.concat([y, Buffer.alloc(length - y.length)]));
  });
}

/** The @signpdf Signer that makes a detached CAdES CMS over the bytes @signpdf/signpdf hands it. */
class CadesSigner extends Signer {
  constructor(
    private readonly privateKey: CryptoKey,
    private readonly certificateDer: Uint8Array,
    private readonly chainDer: Uint8Array[],
  ) {
    super();
  }

  // The signing time @signpdf passes is not used: PAdES-B keeps it out of the CMS (it is in /M).
  override async sign(signedBytes: Buffer): Promise<Buffer> {
    const cert = parseCertificate(this.certificateDer, 'the seal certificate');
    const chain = this.chainDer.map((der, i) => parseCertificate(der, `chain certificate ${i + 1}`));
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      certificates: [cert, ...chain],
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: signedAttributes(sha256(signedBytes), cert, this.certificateDer) }),
        }),
      ],
    });
    await signedData.sign(this.privateKey, 0, 'SHA-256', undefined, engine);
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return Buffer.from(contentInfo.toSchema().toBER(false));
  }
}

/** Has the document a signature dictionary already (one its rewriting would break)? */
function isSigned(doc: PDFDocument): boolean {
  return doc.context.enumerateIndirectObjects().some(([, obj]) => obj instanceof PDFDict && obj.has(PDFName.of('ByteRange')));
}

/**
 * The PDF with the engine's seal: a PAdES B-B signature (SubFilter ETSI.CAdES.detached) over the
 * whole file, an invisible signature field on the first page, /M the time `at`. Throws on a PDF
 * that cannot be read, is encrypted, has no page or is signed already.
 */
export async function sealPdf(pdf: Uint8Array, key: SealKey, words: SealWords, at: Date = new Date()): Promise<Buffer> {
  const certificateDer = certificatesOfPem(key.certificatePem, 'the seal certificate')[0]!;
  const chainDer = (key.chainPem ?? []).flatMap((pem, i) => certificatesOfPem(pem, `chain certificate ${i + 1}`));
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false });
  } catch (err) {
    throw new Error(`the PDF to seal cannot be read (${(err as Error).name})`);
  }
  if (doc.isEncrypted) throw new Error('the PDF to seal is encrypted');
  if (doc.getPageCount() === 0) throw new Error('the PDF to seal has no page');
  if (isSigned(doc)) throw new Error('the PDF to seal is signed already: sealing it would break that signature');

  // The placeholder writes each word with PDFString.of, i.e. its characters verbatim between
  // parentheses: it is given them already encoded, so "é" or "—" reach the reader as written.
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: pdfTextLiteral(words.reason),
    location: pdfTextLiteral(words.location),
    name: pdfTextLiteral(words.name),
    contactInfo: pdfTextLiteral(words.contactInfo ?? ''),
    signingTime: at,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    // In hex digits: twice the CMS's bytes.
    signatureLength: 2 * (CMS_OVERHEAD_BYTES + certificateDer.byteLength + chainDer.reduce((n, c) => n + c.byteLength, 0)),
  });
  const prepared = Buffer.from(await doc.save({ useObjectStreams: false }));
  return new SignPdf().sign(prepared, new CadesSigner(key.privateKey, certificateDer, chainDer));
}

/** A failed check; thrown inside verifySealedPdf only and turned into its answer there. */
class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** The last signature of the file: the /ByteRange that reaches furthest, with its dictionary's other entries. */
interface SignatureFound {
  range: [number, number, number, number];
  contents: Uint8Array;
  subFilter?: string;
  signedAt?: Date;
}

function parsePdfDate(text: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|([+-])(\d{2})'?(\d{2})?'?)?/.exec(text);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', , sign, oh = '00', om = '00'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  const date = new Date(utc - offset);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Finds the last signature by scanning the bytes, not by parsing the PDF: a signature dictionary
 * is always a plain object in the file (its /ByteRange counts the file's bytes, so it cannot sit
 * in a compressed object stream), and a document changed after sealing must still answer "the
 * digest does not match" even where a PDF parser would give up.
 */
function lastSignature(pdf: Buffer): SignatureFound {
  const text = pdf.toString('latin1');
  let best: [number, number, number, number] | undefined;
  let bestAt = -1;
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const range = m.slice(1, 5).map(Number) as [number, number, number, number];
    if (!best || range[2] + range[3] > best[2] + best[3]) [best, bestAt] = [range, m.index];
  }
  if (!best) refuse('the PDF has no signature');
  const [start, length1, offset2, length2] = best;
  if (!best.every(Number.isSafeInteger) || start !== 0 || length1 <= 0 || offset2 <= length1 || offset2 + length2 > pdf.length) {
    refuse('the signature /ByteRange is outside the file');
  }
  const gap = text.slice(length1, offset2);
  if (!/^<[0-9a-fA-F]*>$/.test(gap) || gap.length % 2 !== 0) refuse('the gap of the /ByteRange is not a hexadecimal /Contents string');
  if (!/\/Contents\s*$/.test(text.slice(Math.max(0, length1 - 32), length1))) refuse('the gap of the /ByteRange is not the /Contents of a signature');

  // The dictionary's other entries: from its "n g obj" to its "endobj", without the /Contents.
  const before = text.slice(Math.max(0, bestAt - 65_536), bestAt);
  const objStart = [...before.matchAll(/\d+\s+\d+\s+obj\b/g)].pop();
  const dictStart = objStart ? bestAt - before.length + objStart.index : bestAt;
  const objEnd = text.indexOf('endobj', offset2);
  const dict = text.slice(dictStart, length1) + text.slice(offset2, objEnd === -1 ? offset2 : objEnd);
  const subFilter = /\/SubFilter\s*\/([^\s/<>[\]()]+)/.exec(dict)?.[1];
  const m = /\/M\s*\((D:[^)]*)\)/.exec(dict)?.[1];
  return { range: best, contents: new Uint8Array(Buffer.from(gap.slice(1, -1), 'hex')), subFilter, signedAt: m ? parsePdfDate(m) : undefined };
}

function singleAttribute(attrs: pkijs.Attribute[], type: string, name: string): asn1js.AsnType {
  const found = attrs.filter((a) => a.type === type);
  if (found.length !== 1 || found[0]!.values.length !== 1) refuse(`the signed attributes must hold exactly one ${name}`);
  return found[0]!.values[0] as asn1js.AsnType;
}

/** The first ESSCertIDv2 of a SigningCertificateV2 (RFC 5035 3): it names the signer certificate. */
function essCertId(value: asn1js.AsnType): { hash: string; certHash: Uint8Array; serial: Uint8Array | null } {
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) refuse('the signing-certificate-v2 attribute is malformed');
  const parts = [...first.valueBlock.value];
  const hash = parts[0] instanceof asn1js.Sequence ? DIGESTS[new pkijs.AlgorithmIdentifier({ schema: parts.shift() }).algorithmId] : 'SHA-256';
  const certHash = parts.shift();
  if (!hash || !(certHash instanceof asn1js.OctetString)) refuse('the signing-certificate-v2 hash is malformed or not SHA-2');
  const issuerSerial = parts.shift();
  const serial = issuerSerial instanceof asn1js.Sequence ? issuerSerial.valueBlock.value[1] : undefined;
  return { hash, certHash: certHash.valueBlock.valueHexView, serial: serial instanceof asn1js.Integer ? serial.valueBlock.valueHexView : null };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Checks the CMS over `signed` and returns the signer certificate; refuses with the check that failed. */
async function verifyCms(cms: Uint8Array, signed: Uint8Array): Promise<pkijs.Certificate> {
  const parsed = asn1js.fromBER(cms);
  if (parsed.offset === -1) refuse('the signature is not DER');
  // @signpdf pads /Contents with zeros after the CMS.
  if (!cms.subarray(parsed.offset).every((b) => b === 0)) refuse('the /Contents holds more than one CMS');
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
    if (contentInfo.contentType !== OID.signedData) refuse('the CMS content is not SignedData');
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    if (err instanceof Refusal) throw err;
    refuse('the signature is not a CMS SignedData');
  }
  if (signedData.signerInfos.length !== 1) refuse('the CMS must have exactly one SignerInfo');
  if (signedData.encapContentInfo.eContent) refuse('the CMS is not detached');
  const signerInfo = signedData.signerInfos[0]!;
  const attrs = signerInfo.signedAttrs?.attributes;
  if (!attrs?.length || !signerInfo.signedAttrs?.encodedValue.byteLength) refuse('the SignerInfo has no signed attributes');

  const contentType = singleAttribute(attrs, OID.contentType, 'content-type');
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.data) refuse('the content-type attribute is not id-data');
  const messageDigest = singleAttribute(attrs, OID.messageDigest, 'message-digest');
  if (!(messageDigest instanceof asn1js.OctetString)) refuse('the message-digest attribute is not an OCTET STRING');
  const digest = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
  if (!digest) refuse('the digest algorithm is not SHA-256, SHA-384 or SHA-512');
  const actual = new Uint8Array(await crypto.subtle.digest(digest, signed));
  if (!sameBytes(actual, messageDigest.valueBlock.valueHexView)) refuse('the digest of the document does not match the sealed message digest: it was changed');

  const sid = signerInfo.sid as unknown;
  const certs = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const cert =
    sid instanceof pkijs.IssuerAndSerialNumber ? certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber)) : undefined;
  if (!cert) refuse('the signer certificate is not in the CMS');
  const ok = await engine
    .verifyWithPublicKey(signerInfo.signedAttrs.encodedValue, signerInfo.signature, cert.subjectPublicKeyInfo, signerInfo.signatureAlgorithm, digest)
    .catch(() => false);
  if (!ok) refuse('the signature over the signed attributes does not verify with the signer certificate');
  const ess = essCertId(singleAttribute(attrs, OID.signingCertificateV2, 'signing-certificate-v2'));
  const certDer = derOfCertificate(cert);
  if (!sameBytes(new Uint8Array(await crypto.subtle.digest(ess.hash, certDer)), ess.certHash)) {
    refuse('the signing-certificate-v2 hash does not match the signer certificate');
  }
  if (ess.serial && !sameBytes(ess.serial, cert.serialNumber.valueBlock.valueHexView))
    refuse('the signing-certificate-v2 serial does not match the signer certificate');
  return cert;
}

/** The signer is the trusted certificate itself, or issued by it (its signature checked with the trusted key). */
async function checkTrust(signer: pkijs.Certificate, trusted: pkijs.Certificate, at: Date | undefined): Promise<void> {
  const isTrusted =
    sameBytes(derOfCertificate(signer), derOfCertificate(trusted)) ||
    (signer.issuer.isEqual(trusted.subject) && (await signer.verify(trusted, engine).catch(() => false)));
  if (!isTrusted) refuse('the signer certificate is not the trusted certificate nor issued by it (untrusted signer)');
  const signerX509 = new x509.X509Certificate(derOfCertificate(signer));
  const usage = signerX509.getExtension(x509.KeyUsagesExtension);
  if (usage && (usage.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation)) === 0) {
    refuse('the signer certificate is not for signatures (key usage)');
  }
  if (at && (at < signerX509.notBefore || at > signerX509.notAfter)) refuse('the seal time /M is outside the signer certificate validity');
}

/**
 * Checks the last signature of `pdf` against the trusted seal certificate (the engine's own, or
 * the CA that issues it). Never throws: a PDF without a seal, damaged or forged, is valid: false
 * with the reason. Valid means the whole file is what was sealed: bytes added after the signed
 * range (an incremental update) make it invalid, with coversWholeDocument false.
 */
export async function verifySealedPdf(pdf: Uint8Array, trustedCertificatePem: string): Promise<SealVerification> {
  let answer: SealVerification = { valid: false, coversWholeDocument: false };
  try {
    const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    const trustedDer = certificatesOfPem(trustedCertificatePem, 'the trusted certificate')[0]!;
    const trusted = parseCertificate(trustedDer, 'the trusted certificate');
    const found = lastSignature(bytes);
    const [, length1, offset2, length2] = found.range;
    answer = {
      ...answer,
      coversWholeDocument: offset2 + length2 === bytes.length,
      subFilter: found.subFilter,
      signedAt: found.signedAt?.toISOString(),
    };
    const signed = Buffer.concat([bytes.subarray(0, length1), bytes.subarray(offset2, offset2 + length2)]);
    const signer = await verifyCms(found.contents, signed);
    answer.signer = new x509.X509Certificate(derOfCertificate(signer)).subject;
    if (found.subFilter !== SUBFILTER_ETSI_CADES_DETACHED) refuse(`the signature is not PAdES (SubFilter ${SUBFILTER_ETSI_CADES_DETACHED})`);
    await checkTrust(signer, trusted, found.signedAt);
    if (!answer.coversWholeDocument) refuse('the file has bytes after the sealed range: it was changed after sealing');
    return { ...answer, valid: true };
  } catch (err) {
    const reason = err instanceof Refusal ? err.message : `the seal cannot be checked (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'})`;
    return { ...answer, valid: false, reason };
  }
}

/** A positive serial of 16 random bytes (RFC 5280 4.1.2.2: at most 20). */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
}

/**
 * A self-signed demo seal (ECDSA P-256, SHA-256), valid two years from a minute ago, named so that
 * nobody takes it for the canton's: for development and tests only. Its key is extractable so
 * sealKeyToPem can hand it to the worker.
 */
export async function makeDemoSealKey(subject: { canton: 'JU' | 'NE'; organisation: string }): Promise<SealKey> {
  const keys = (await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [
        { CN: [`Sceau de démonstration — ${subject.organisation} (pas pour la production)`] },
        { O: [subject.organisation] },
        { ST: [subject.canton] },
        { C: ['CH'] },
      ],
      notBefore,
      notAfter: new Date(notBefore.getTime() + 2 * YEAR_MS),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { privateKey: keys.privateKey as CryptoKey, certificatePem: cert.toString('pem') };
}

/** The key (PKCS#8 PEM) and certificate (PEM, with its chain after it) to hand to another process. The key must be extractable. */
export async function sealKeyToPem(key: SealKey): Promise<{ keyPem: string; certificatePem: string }> {
  if (!key.privateKey.extractable) throw new Error('the seal key is not extractable: it cannot be exported');
  const keyPem = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key.privateKey), 'PRIVATE KEY');
  return { keyPem, certificatePem: [key.certificatePem.trim(), ...(key.chainPem ?? []).map((p) => p.trim())].join('\n') + '\n' };
}

/** The WebCrypto algorithm of a certificate's public key, for importing its private key. */
function keyAlgorithmOf(cert: pkijs.Certificate): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  const spki = cert.subjectPublicKeyInfo.algorithm;
  if (spki.algorithmId === OID.ecPublicKey) {
    const curve = spki.algorithmParams instanceof asn1js.ObjectIdentifier ? spki.algorithmParams.valueBlock.toString() : '';
    if (curve === OID.p256) return { name: 'ECDSA', namedCurve: 'P-256' };
    if (curve === OID.p384) return { name: 'ECDSA', namedCurve: 'P-384' };
    throw new Error('the seal certificate key is on an unsupported curve (P-256 or P-384)');
  }
  if (spki.algorithmId === OID.rsa) return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (spki.algorithmId === OID.rsaPss) return { name: 'RSA-PSS', hash: 'SHA-256' };
  throw new Error('the seal certificate key is neither ECDSA nor RSA');
}

/**
 * The seal key from what sealKeyToPem wrote (PEM, e.g. from an environment variable or a file):
 * the first certificate is the seal's, any further ones its chain. The private key is imported
 * non-extractable, and checked to be the certificate's by signing a probe with it.
 */
export async function loadSealKey(pem: { keyPem: string; certificatePem: string }): Promise<SealKey> {
  const [certDer, ...chainDer] = certificatesOfPem(pem.certificatePem, 'the seal certificate');
  const cert = parseCertificate(certDer!, 'the seal certificate');
  const algorithm = keyAlgorithmOf(cert);
  let privateKey: CryptoKey;
  try {
    const body = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(pem.keyPem)?.[1];
    if (!body) throw new Error('no PKCS#8 block');
    privateKey = (await crypto.subtle.importKey('pkcs8', Buffer.from(body.replace(/\s+/g, ''), 'base64'), algorithm, false, ['sign'])) as CryptoKey;
  } catch {
    throw new Error('the seal key is not a PKCS#8 PEM private key of the certificate key type');
  }
  const publicKey = await new x509.X509Certificate(certDer!).publicKey.export(algorithm, ['verify'], crypto);
  const probe = crypto.getRandomValues(new Uint8Array(32));
  const params =
    algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm.name === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: 32 } : algorithm;
  const probeSignature = await crypto.subtle.sign(params, privateKey, probe);
  if (!(await crypto.subtle.verify(params, publicKey, probeSignature, probe))) throw new Error('the seal key does not belong to the seal certificate');
  const toPem = (der: Uint8Array) => x509.PemConverter.encode(toArrayBuffer(der), 'CERTIFICATE');
  return { privateKey, certificatePem: toPem(certDer!), ...(chainDer.length ? { chainPem: chainDer.map(toPem) } : {}) };
}
