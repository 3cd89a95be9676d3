// Verifies a qualified electronic signature (ZertES / eIDAS QES) before the engine keeps it: a
// detached CMS (CAdES-BES, ETSI EN 319 122-1) over the signed document, by a qualified
// certificate (ETSI EN 319 412-5 QcCompliance, nonRepudiation) that chains to a recognised
// qualified CA and is not revoked, of the person expected to sign. PKI.js parses the CMS and
// checks the signatures; @peculiar/x509 reads the certificates' extensions and names.
// It never logs and never throws on what it is given: every answer is a QesResult whose
// reason names what failed, never a name or a DN value.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sameName } from '../../domain/names';

export type QesCheck = 'format' | 'document' | 'signature' | 'chain' | 'qualified' | 'validity' | 'revocation' | 'signer';

export interface QesEvidence {
  /** ISO instant from the signed signing-time attribute */
  signingTime: string;
  signer: { commonName: string | null; givenName: string | null; surname: string | null };
  /** hex SHA-256 of the signer certificate DER */
  certificateSha256: string;
  /** hex */
  serialNumber: string;
  /** issuer DN, RFC 4514 string */
  issuer: string;
  /** the trusted CA it chained to */
  caCertificateSha256: string;
  revocation: { crlUrl: string; thisUpdate: string; nextUpdate: string | null; checkedAt: string };
}

export type QesResult = { ok: true; evidence: QesEvidence } | { ok: false; check: QesCheck; reason: string; retryable: boolean };

export interface QesVerifierOptions {
  /** PEM certificates of the recognised qualified CAs (trust anchors) */
  qualifiedCas: string[];
  /** default ['0.4.0.1862.1.1'] (QcCompliance, ETSI EN 319 412-5) */
  qcStatementOids?: string[];
  /** default: HTTP(S) GET with a timeout (crlTimeoutMs) */
  fetchCrl?: (url: string) => Promise<Uint8Array>;
  /** default 5000 */
  crlTimeoutMs?: number;
  /** default 5 minutes */
  clockSkewMs?: number;
  now?: () => Date;
}

export interface QesVerifier {
  verify(input: { signatureBase64: string; document: Uint8Array; expectedSigner: { givenName: string; familyName: string } }): Promise<QesResult>;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  qcCompliance: '0.4.0.1862.1.1',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  commonName: '2.5.4.3',
  givenName: '2.5.4.42',
  surname: '2.5.4.4',
  rsa: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

/** The digests a SignerInfo may use (ETSI TS 119 312: no SHA-1). */
const DIGESTS: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
/** Signature algorithms over the signed attributes, with the digest each implies (null: the SignerInfo's). */
const SIGNATURE_ALGORITHMS: Record<string, { key: 'RSA' | 'EC'; hash: string | null }> = {
  [OID.rsa]: { key: 'RSA', hash: null },
  [OID.rsaPss]: { key: 'RSA', hash: null },
  '1.2.840.113549.1.1.11': { key: 'RSA', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { key: 'RSA', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { key: 'RSA', hash: 'SHA-512' },
  '1.2.840.10045.4.3.2': { key: 'EC', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { key: 'EC', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { key: 'EC', hash: 'SHA-512' },
};
/** P-256 and P-384. */
const CURVES = new Set(['1.2.840.10045.3.1.7', '1.3.132.0.34']);
/** RFC 4514 2.3: the short names a string representation uses; others are written as OIDs. */
const DN_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};
const MAX_CHAIN = 6;
const MAX_CRL_BYTES = 20 * 1024 * 1024;

const engine = new pkijs.CryptoEngine({ name: 'webcrypto', crypto: globalThis.crypto });

/** A failed check; thrown inside verify() only and turned into its QesResult there. */
class Refusal extends Error {
  constructor(
    readonly check: QesCheck,
    readonly reason: string,
    readonly retryable = false,
  ) {
    super(reason);
  }
}

function refuse(check: QesCheck, reason: string, retryable = false): never {
  throw new Refusal(check, reason, retryable);
}

/** Runs a library call whose failure on bad input means `check` failed. */
async function parsing<T>(check: QesCheck, reason: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Refusal) throw err;
    return refuse(check, reason);
  }
}

const hex = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const derOf = (cert: pkijs.Certificate) => new Uint8Array(cert.toSchema().toBER(false));

/** Strict base64 (whitespace allowed between lines, as PEM bodies carry it). */
function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

function berOf(bytes: Uint8Array): asn1js.AsnType | null {
  const parsed = asn1js.fromBER(bytes);
  return parsed.offset === -1 || parsed.offset !== bytes.byteLength ? null : parsed.result;
}

/** The one value of the one attribute of `type`; `format` if missing or repeated. */
function singleAttribute(attrs: pkijs.Attribute[], type: string, name: string): asn1js.AsnType {
  const found = attrs.filter((a) => a.type === type);
  if (found.length !== 1 || found[0]!.values.length !== 1) refuse('format', `the signed attributes must hold exactly one ${name}`);
  return found[0]!.values[0] as asn1js.AsnType;
}

interface ParsedSignature {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  digest: string;
  messageDigest: Uint8Array;
  signingTime: Date;
  essCertId: { hash: string; certHash: Uint8Array; serial: Uint8Array | null };
}

async function parseSignature(signatureBase64: string): Promise<ParsedSignature> {
  const bytes = decodeBase64(signatureBase64);
  if (!bytes) return refuse('format', 'the signature is not base64');
  const schema = berOf(bytes);
  if (!schema) return refuse('format', 'the signature is not DER');
  const contentInfo = await parsing('format', 'the signature is not a CMS ContentInfo', () => new pkijs.ContentInfo({ schema }));
  if (contentInfo.contentType !== OID.signedData) refuse('format', 'the CMS content is not SignedData');
  const signedData = await parsing('format', 'the CMS SignedData is malformed', () => new pkijs.SignedData({ schema: contentInfo.content }));
  if (signedData.signerInfos.length !== 1) refuse('format', 'the signature must have exactly one SignerInfo');
  if (signedData.encapContentInfo.eContent) refuse('format', 'the signature is not detached (it carries its content)');
  const signerInfo = signedData.signerInfos[0]!;
  const attrs = signerInfo.signedAttrs?.attributes;
  if (!attrs?.length || !signerInfo.signedAttrs?.encodedValue.byteLength) return refuse('format', 'the SignerInfo has no signed attributes');

  const contentType = singleAttribute(attrs, OID.contentType, 'content-type');
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== signedData.encapContentInfo.eContentType) {
    refuse('format', 'the content-type attribute does not match the encapsulated content type');
  }
  const messageDigest = singleAttribute(attrs, OID.messageDigest, 'message-digest');
  if (!(messageDigest instanceof asn1js.OctetString)) return refuse('format', 'the message-digest attribute is not an OCTET STRING');
  const time = singleAttribute(attrs, OID.signingTime, 'signing-time');
  if (!(time instanceof asn1js.UTCTime || time instanceof asn1js.GeneralizedTime)) return refuse('format', 'the signing-time attribute is not a time');
  const signingTime = time.toDate();
  if (Number.isNaN(signingTime.getTime())) refuse('format', 'the signing-time attribute is not a valid time');
  const essCertId = await parsing('format', 'the signing-certificate-v2 attribute is malformed', () =>
    parseSigningCertificateV2(singleAttribute(attrs, OID.signingCertificateV2, 'signing-certificate-v2')),
  );
  const digest = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
  if (!digest) return refuse('document', 'the digest algorithm is not SHA-256, SHA-384 or SHA-512');
  return { signedData, signerInfo, digest, messageDigest: messageDigest.valueBlock.valueHexView, signingTime, essCertId };
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, … } (RFC 5035 3); the first ESSCertIDv2 names the signer's. */
function parseSigningCertificateV2(value: asn1js.AsnType): ParsedSignature['essCertId'] {
  const certs = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const first = certs.valueBlock.value[0] as asn1js.Sequence;
  if (!(value instanceof asn1js.Sequence) || !(certs instanceof asn1js.Sequence) || !(first instanceof asn1js.Sequence)) throw new TypeError('shape');
  const parts = [...first.valueBlock.value];
  // hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256
  const hash = parts[0] instanceof asn1js.Sequence ? DIGESTS[new pkijs.AlgorithmIdentifier({ schema: parts.shift() }).algorithmId] : 'SHA-256';
  const certHash = parts.shift();
  if (!hash || !(certHash instanceof asn1js.OctetString)) throw new TypeError('hash');
  // issuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER } OPTIONAL
  const issuerSerial = parts.shift();
  const serial = issuerSerial instanceof asn1js.Sequence ? issuerSerial.valueBlock.value[1] : undefined;
  if (issuerSerial !== undefined && !(serial instanceof asn1js.Integer)) throw new TypeError('issuerSerial');
  return { hash, certHash: certHash.valueBlock.valueHexView, serial: serial instanceof asn1js.Integer ? serial.valueBlock.valueHexView : null };
}

async function digestOf(hash: string, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest(hash, bytes));
}

const cmsCertificates = (signedData: pkijs.SignedData) => (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);

/** The certificate the SignerIdentifier names: issuer and serial, or [0] subjectKeyIdentifier. */
function findSignerCertificate(signedData: pkijs.SignedData, sid: unknown): pkijs.Certificate | undefined {
  const certs = cmsCertificates(signedData);
  if (sid instanceof pkijs.IssuerAndSerialNumber) return certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  if (sid instanceof asn1js.Primitive || sid instanceof asn1js.Constructed) {
    const ski = hex(sid.valueBlock.valueBeforeDecodeView);
    return certs.find((c) => {
      const ext = c.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
      return ext instanceof asn1js.OctetString && hex(ext.valueBlock.valueHexView) === ski;
    });
  }
  return undefined;
}

async function verifySignature(parsed: ParsedSignature): Promise<pkijs.Certificate> {
  const { signedData, signerInfo, digest } = parsed;
  const cert = findSignerCertificate(signedData, signerInfo.sid);
  if (!cert) return refuse('signature', 'the signer certificate is not among the CMS certificates');
  const algorithm = SIGNATURE_ALGORITHMS[signerInfo.signatureAlgorithm.algorithmId];
  if (!algorithm || (algorithm.hash && algorithm.hash !== digest))
    refuse('signature', 'the signature algorithm is not supported or does not match the digest algorithm');
  const keyAlgorithm = cert.subjectPublicKeyInfo.algorithm;
  const keyKind = keyAlgorithm.algorithmId === OID.ecPublicKey ? 'EC' : [OID.rsa, OID.rsaPss].includes(keyAlgorithm.algorithmId as never) ? 'RSA' : null;
  const curve = keyAlgorithm.algorithmParams instanceof asn1js.ObjectIdentifier ? keyAlgorithm.algorithmParams.valueBlock.toString() : null;
  if (keyKind !== algorithm!.key || (keyKind === 'EC' && !CURVES.has(curve ?? ''))) {
    refuse('signature', 'the signer key is not RSA, ECDSA P-256 or ECDSA P-384, or does not fit the signature algorithm');
  }
  const signedAttrs = signerInfo.signedAttrs!.encodedValue;
  const valid = await parsing('signature', 'the signature does not verify', () =>
    engine.verifyWithPublicKey(signedAttrs, signerInfo.signature, cert.subjectPublicKeyInfo, signerInfo.signatureAlgorithm, digest),
  );
  if (!valid) refuse('signature', 'the signature does not verify');
  const { essCertId } = parsed;
  if (!Buffer.from(await digestOf(essCertId.hash, derOf(cert))).equals(Buffer.from(essCertId.certHash))) {
    refuse('signature', 'the signing-certificate-v2 hash does not match the signer certificate');
  }
  if (essCertId.serial && hex(essCertId.serial) !== hex(cert.serialNumber.valueBlock.valueHexView)) {
    refuse('signature', 'the signing-certificate-v2 serial does not match the signer certificate');
  }
  return cert;
}

interface TrustAnchor {
  cert: pkijs.Certificate;
  sha256: string;
}

const isCa = (cert: pkijs.Certificate) => {
  const bc = cert.extensions?.find((e) => e.extnID === OID.basicConstraints)?.parsedValue;
  return bc instanceof pkijs.BasicConstraints && bc.cA === true;
};

/** Signer first, then intermediates (from the CMS), then the trust anchor; each link's signature verified. */
async function buildChain(
  signer: pkijs.Certificate,
  intermediates: pkijs.Certificate[],
  anchors: TrustAnchor[],
): Promise<{ path: pkijs.Certificate[]; anchor: TrustAnchor }> {
  const path = [signer];
  for (let current = signer; path.length <= MAX_CHAIN;) {
    for (const anchor of anchors) {
      if (anchor.cert.subject.isEqual(current.issuer) && isCa(anchor.cert) && (await current.verify(anchor.cert, engine).catch(() => false))) {
        return { path: [...path, anchor.cert], anchor };
      }
    }
    let next: pkijs.Certificate | undefined;
    for (const candidate of intermediates) {
      if (path.includes(candidate) || !candidate.subject.isEqual(current.issuer) || !isCa(candidate)) continue;
      if (await current.verify(candidate, engine).catch(() => false)) {
        next = candidate;
        break;
      }
    }
    if (!next) break;
    path.push(next);
    current = next;
  }
  return refuse('chain', 'the signer certificate does not chain to a recognised qualified CA');
}

function checkQualified(cert: x509.X509Certificate, qcStatementOids: string[]): void {
  const ext = cert.getExtension(OID.qcStatements);
  if (!ext) refuse('qualified', 'the signer certificate has no qcStatements extension');
  let ids: string[] = [];
  try {
    ids = pkijs.QCStatements.fromBER(ext!.value).values.map((s) => s.id);
  } catch {
    refuse('qualified', 'the qcStatements extension is malformed');
  }
  if (!ids.some((id) => qcStatementOids.includes(id))) refuse('qualified', 'the signer certificate has no qualified (QcCompliance) statement');
  const keyUsage = cert.getExtension(x509.KeyUsagesExtension);
  if (!keyUsage || (keyUsage.usages & x509.KeyUsageFlags.nonRepudiation) === 0) refuse('qualified', 'the signer certificate keyUsage lacks nonRepudiation');
}

function checkValidity(signingTime: Date, path: pkijs.Certificate[], now: Date, clockSkewMs: number): void {
  if (signingTime.getTime() > now.getTime() + clockSkewMs) refuse('validity', 'the signing time is in the future');
  path.forEach((cert, i) => {
    if (signingTime < cert.notBefore.value || signingTime > cert.notAfter.value) {
      refuse('validity', i === 0 ? 'the signing time is outside the signer certificate validity' : 'the signing time is outside a CA certificate validity');
    }
  });
}

function crlUrlsOf(cert: x509.X509Certificate): string[] {
  const ext = cert.getExtension(x509.CRLDistributionPointsExtension);
  const names = (ext?.distributionPoints ?? []).flatMap((dp) => dp.distributionPoint?.fullName ?? []);
  return names.map((n) => n.uniformResourceIdentifier).filter((u): u is string => !!u && /^https?:\/\//i.test(u));
}

async function checkRevocation(
  signer: pkijs.Certificate,
  signerX509: x509.X509Certificate,
  issuer: pkijs.Certificate,
  fetchCrl: (url: string) => Promise<Uint8Array>,
  now: Date,
  clockSkewMs: number,
): Promise<QesEvidence['revocation']> {
  const urls = crlUrlsOf(signerX509);
  if (urls.length === 0) refuse('revocation', 'the signer certificate has no http(s) CRL distribution point');
  let failure = 'the CRL could not be fetched';
  for (const url of urls) {
    let crl: pkijs.CertificateRevocationList;
    try {
      crl = pkijs.CertificateRevocationList.fromBER(await fetchCrl(url));
    } catch {
      continue;
    }
    const signed = await crl.verify({ issuerCertificate: issuer }, engine).catch(() => false);
    if (!signed) {
      failure = 'the CRL is not signed by the issuing CA';
      continue;
    }
    const thisUpdate = crl.thisUpdate.value;
    const nextUpdate = crl.nextUpdate?.value ?? null;
    if (thisUpdate.getTime() > now.getTime() + clockSkewMs || (nextUpdate && nextUpdate < now)) {
      failure = 'the CRL is not current';
      continue;
    }
    if (crl.isCertificateRevoked(signer)) refuse('revocation', 'the signer certificate is revoked');
    return { crlUrl: url, thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate?.toISOString() ?? null, checkedAt: now.toISOString() };
  }
  return refuse('revocation', failure, true);
}

const firstField = (name: x509.Name, oid: string) => name.getField(oid)[0] ?? null;

function checkSigner(cert: x509.X509Certificate, expected: { givenName: string; familyName: string }): QesEvidence['signer'] {
  const signer = {
    commonName: firstField(cert.subjectName, OID.commonName),
    givenName: firstField(cert.subjectName, OID.givenName),
    surname: firstField(cert.subjectName, OID.surname),
  };
  const matches =
    signer.givenName !== null && signer.surname !== null
      ? sameName(signer.givenName, expected.givenName) && sameName(signer.surname, expected.familyName)
      : signer.commonName !== null && sameName(signer.commonName, `${expected.givenName} ${expected.familyName}`);
  if (!matches) refuse('signer', 'the signer certificate names another person');
  return signer;
}

/** RFC 4514: the RDNs last first, comma-separated; multi-valued RDNs joined by '+'. */
function rfc4514(name: pkijs.RelativeDistinguishedNames): string {
  const escape = (v: string) =>
    v
      .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
      .replace(/^[ #]/, (c) => `\\${c}`)
      .replace(/ $/, '\\ ')
      .replace(/\0/g, '\\00');
  const rdns = (name.toSchema() as asn1js.Sequence).valueBlock.value as asn1js.Set[];
  return rdns
    .map((rdn) =>
      (rdn.valueBlock.value as asn1js.Sequence[])
        .map((atv) => {
          const [type, value] = atv.valueBlock.value as [asn1js.ObjectIdentifier, asn1js.AsnType];
          const oid = type.valueBlock.toString();
          const text = (value as { valueBlock: { value?: unknown } }).valueBlock.value;
          const rendered = typeof text === 'string' ? escape(text) : `#${hex(value.toBER())}`;
          return `${DN_NAMES[oid] ?? oid}=${rendered}`;
        })
        .join('+'),
    )
    .reverse()
    .join(',');
}

/** The default CRL fetch: a plain GET, no redirects, bounded in time and size. */
function httpFetchCrl(timeoutMs: number) {
  return async (url: string): Promise<Uint8Array> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) throw new Error(`CRL answered ${res.status}`);
    if (Number(res.headers.get('content-length') ?? 0) > MAX_CRL_BYTES) throw new Error('CRL too large');
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.byteLength > MAX_CRL_BYTES) throw new Error('CRL too large');
    return body;
  };
}

function parseCaPem(pem: string, where: string): pkijs.Certificate[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new Error(`${where}: no PEM certificate`);
  return blocks.map((b) => {
    const der = decodeBase64(b[1]!);
    if (!der) throw new Error(`${where}: a certificate is not base64`);
    try {
      return pkijs.Certificate.fromBER(der);
    } catch {
      throw new Error(`${where}: a PEM block is not an X.509 certificate`);
    }
  });
}

export function createQesVerifier(opts: QesVerifierOptions): QesVerifier {
  const anchors: TrustAnchor[] = opts.qualifiedCas
    .flatMap((pem, i) => parseCaPem(pem, `qualifiedCas[${i}]`))
    .map((cert) => ({ cert, sha256: sha256Hex(derOf(cert)) }));
  if (anchors.length === 0) throw new Error('createQesVerifier: qualifiedCas holds no certificate');
  const qcStatementOids = opts.qcStatementOids ?? [OID.qcCompliance];
  const fetchCrl = opts.fetchCrl ?? httpFetchCrl(opts.crlTimeoutMs ?? 5000);
  const clockSkewMs = opts.clockSkewMs ?? 5 * 60_000;
  const clock = opts.now ?? (() => new Date());

  return {
    async verify({ signatureBase64, document, expectedSigner }) {
      try {
        const parsed = await parseSignature(signatureBase64);
        // document: the signed message-digest is the hash of these bytes (RFC 5652 5.4)
        if (!Buffer.from(await digestOf(parsed.digest, document)).equals(Buffer.from(parsed.messageDigest))) {
          refuse('document', 'the signature is over another document');
        }
        const signer = await verifySignature(parsed);
        const intermediates = cmsCertificates(parsed.signedData).filter((c) => c !== signer);
        const { path, anchor } = await buildChain(signer, intermediates, anchors);
        const signerDer = derOf(signer);
        const signerX509 = new x509.X509Certificate(signerDer);
        checkQualified(signerX509, qcStatementOids);
        const now = clock();
        checkValidity(parsed.signingTime, path, now, clockSkewMs);
        const revocation = await checkRevocation(signer, signerX509, path[1]!, fetchCrl, now, clockSkewMs);
        const names = checkSigner(signerX509, expectedSigner);
        return {
          ok: true,
          evidence: {
            signingTime: parsed.signingTime.toISOString(),
            signer: names,
            certificateSha256: sha256Hex(signerDer),
            serialNumber: hex(signer.serialNumber.valueBlock.valueHexView),
            issuer: rfc4514(signer.issuer),
            caCertificateSha256: anchor.sha256,
            revocation,
          },
        };
      } catch (err) {
        if (err instanceof Refusal) return { ok: false, check: err.check, reason: err.reason, retryable: err.retryable };
        throw err;
      }
    },
  };
}

/** QES_TRUSTED_CA_FILES: comma-separated PEM files, each with one or more CA certificates. */
export function loadQesConfig(env: NodeJS.ProcessEnv = process.env): QesVerifierOptions {
  const files = (env.QES_TRUSTED_CA_FILES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (files.length === 0) throw new Error('QES_TRUSTED_CA_FILES is required: comma-separated PEM files of the recognised qualified CAs');
  const qualifiedCas = files.map((file, i) => {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`QES_TRUSTED_CA_FILES: file ${i + 1} (${file}) cannot be read`);
    }
    try {
      parseCaPem(pem, file);
    } catch (err) {
      throw new Error(`QES_TRUSTED_CA_FILES: ${(err as Error).message}`);
    }
    return pem;
  });
  return { qualifiedCas };
}
