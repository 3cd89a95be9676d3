// A test qualified certification authority (a stand-in for a ZertES provider such as SwissSign
// or Swisscom): an ECDSA P-256 root that issues qualified person certificates, signs detached
// CAdES-BES signatures as a signing tool does with the holder's key, and publishes a CRL.
// Its keys are test keys: they live in memory or in the JSON its owner persists.
import 'reflect-metadata';
import type { webcrypto as nodeWebcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

type CryptoKey = nodeWebcrypto.CryptoKey;
type CryptoKeyPair = nodeWebcrypto.CryptoKeyPair;

const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);
const engine = new pkijs.CryptoEngine({ name: 'webcrypto', crypto: webcrypto });

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** OIDs this authority writes (RFC 5652, RFC 5035, ETSI EN 319 412-5). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  qcCompliance: '0.4.0.1862.1.1',
  qcSscd: '0.4.0.1862.1.4',
  qcType: '0.4.0.1862.1.6',
  qcTypeEsign: '0.4.0.1862.1.6.1',
} as const;

/** A person's certificate and key, as the authority hands them to the holder's signing tool. */
export interface IssuedPerson {
  certPem: string;
  keyPkcs8Pem: string;
  /** hex, as @peculiar/x509 writes it */
  serialNumber: string;
}

export interface PersonRequest {
  givenName: string;
  familyName: string;
  notBefore?: Date;
  notAfter?: Date;
  /** With the QcCompliance statement (default: the authority's `qualified`). */
  qualified?: boolean;
  /** keyUsage nonRepudiation (default true). */
  nonRepudiation?: boolean;
}

export interface SignOptions {
  /** The signed signing-time attribute (default: now). */
  signingTime?: Date;
  /** Leaves out the ESS signing-certificate-v2 attribute, which CAdES-BES requires. */
  omitSigningCertificate?: boolean;
}

export interface TestQcaJson {
  name: string;
  crlUrl: string;
  qualified: boolean;
  caPem: string;
  caKeyPkcs8Pem: string;
  revoked: { serialNumber: string; at: string }[];
}

export interface TestQca {
  readonly name: string;
  readonly crlUrl: string;
  readonly caPem: string;
  issuePerson(p: PersonRequest): Promise<IssuedPerson>;
  sign(document: Uint8Array, person: IssuedPerson, opts?: SignOptions): Promise<string>;
  revoke(serialNumber: string, at?: Date): void;
  /** A fresh CRL signed by the CA: thisUpdate now, nextUpdate in a day. */
  crlDer(): Promise<Uint8Array>;
  toJSON(): TestQcaJson;
}

const pem = (label: string, der: ArrayBuffer | Uint8Array) => x509.PemConverter.encode(der instanceof Uint8Array ? toArrayBuffer(der) : der, label);
const pemBody = (text: string) => x509.PemConverter.decodeFirst(text);
const toArrayBuffer = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

async function importPrivateKey(pkcs8Pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', pemBody(pkcs8Pem), EC_KEY, true, ['sign']);
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

/** A positive serial of 16 random bytes (RFC 5280 4.1.2.2: at most 20). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
}

/** qcStatements (RFC 3739, ETSI EN 319 412-5): QcCompliance, QcSSCD, QcType esign. */
function qcStatementsExtension(): x509.Extension {
  const statement = (id: string, info?: asn1js.AsnType) =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: id }), ...(info ? [info] : [])] });
  const value = new asn1js.Sequence({
    value: [
      statement(OID.qcCompliance),
      statement(OID.qcSscd),
      statement(OID.qcType, new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.qcTypeEsign })] })),
    ],
  });
  return new x509.Extension(OID.qcStatements, false, value.toBER());
}

/** The CMS attributes of a CAdES-BES detached signature (ETSI EN 319 122-1 5.2). */
function signedAttributes(digest: ArrayBuffer, cert: pkijs.Certificate, signingTime: Date, certHash: ArrayBuffer | null) {
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
  ];
  if (certHash) {
    // SigningCertificateV2 { certs: [ESSCertIDv2 { hashAlgorithm DEFAULT sha256, certHash, issuerSerial }] } (RFC 5035)
    const issuerSerial = new asn1js.Sequence({
      value: [
        new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: cert.issuer })] }).toSchema(),
        new asn1js.Integer({ valueHex: cert.serialNumber.valueBlock.valueHexView }),
      ],
    });
    const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash }), issuerSerial] });
    attributes.push(
      new pkijs.Attribute({
        type: OID.signingCertificateV2,
        values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })],
      }),
    );
  }
  return attributes;
}

/**
 * A detached CMS SignedData (CAdES-BES) over `document` with the person's key: what a
 * signing tool sends. Base64 of the DER ContentInfo.
 */
export async function signDetached(document: Uint8Array, person: IssuedPerson, opts: SignOptions = {}): Promise<string> {
  return signCades(document, pemBody(person.certPem), await importPrivateKey(person.keyPkcs8Pem), opts);
}

/**
 * The same with any signer key (RSA, ECDSA of any curve) and digest: the certificate (DER) goes
 * into the CMS, the ESS certificate hash is SHA-256 (its default algorithm).
 */
export async function signCades(
  document: Uint8Array,
  certDer: ArrayBuffer,
  privateKey: CryptoKey,
  opts: SignOptions & { hash?: 'SHA-256' | 'SHA-384' | 'SHA-512' } = {},
): Promise<string> {
  const hash = opts.hash ?? 'SHA-256';
  const cert = pkijs.Certificate.fromBER(certDer);
  const digest = await webcrypto.subtle.digest(hash, document);
  const certHash = opts.omitSigningCertificate ? null : await webcrypto.subtle.digest('SHA-256', certDer);
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert],
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: signedAttributes(digest, cert, opts.signingTime ?? new Date(), certHash),
        }),
      }),
    ],
  });
  await signedData.sign(privateKey, 0, hash, undefined, engine);
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER()).toString('base64');
}

class Authority implements TestQca {
  private readonly revoked = new Map<string, Date>();

  constructor(
    readonly name: string,
    readonly crlUrl: string,
    private readonly qualified: boolean,
    private readonly ca: x509.X509Certificate,
    private readonly caKey: CryptoKey,
    private readonly caKeyPkcs8Pem: string,
  ) {}

  get caPem(): string {
    return this.ca.toString('pem');
  }

  async issuePerson(p: PersonRequest): Promise<IssuedPerson> {
    const keys = await newKeyPair();
    const notBefore = p.notBefore ?? new Date(Date.now() - 60_000);
    const notAfter = p.notAfter ?? new Date(notBefore.getTime() + 3 * 365 * DAY_MS);
    const usages = x509.KeyUsageFlags.digitalSignature | (p.nonRepudiation === false ? 0 : x509.KeyUsageFlags.nonRepudiation);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: [{ CN: [`${p.givenName} ${p.familyName}`] }, { '2.5.4.42': [p.givenName] }, { '2.5.4.4': [p.familyName] }, { C: ['CH'] }],
      issuer: this.ca.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: this.caKey,
      signingAlgorithm: EC_SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usages, true),
        new x509.CRLDistributionPointsExtension([this.crlUrl]),
        await x509.AuthorityKeyIdentifierExtension.create(this.ca, false, webcrypto),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        ...((p.qualified ?? this.qualified) ? [qcStatementsExtension()] : []),
      ],
    });
    return { certPem: cert.toString('pem'), keyPkcs8Pem: await exportPkcs8Pem(keys.privateKey), serialNumber: cert.serialNumber };
  }

  sign(document: Uint8Array, person: IssuedPerson, opts?: SignOptions): Promise<string> {
    return signDetached(document, person, opts);
  }

  revoke(serialNumber: string, at = new Date()): void {
    this.revoked.set(serialNumber.toLowerCase(), at);
  }

  async crlDer(): Promise<Uint8Array> {
    const now = Date.now();
    const crl = await x509.X509CrlGenerator.create(
      {
        issuer: this.ca.subjectName,
        thisUpdate: new Date(now),
        nextUpdate: new Date(now + DAY_MS),
        signingKey: this.caKey,
        signingAlgorithm: EC_SIGN,
        // With a reason: @peculiar/x509 2.2 writes an entry without one with an empty crlEntryExtensions
        // SEQUENCE, which RFC 5280 forbids (SIZE 1..MAX) and PKI.js refuses to parse.
        entries: [...this.revoked].map(([serialNumber, revocationDate]) => ({ serialNumber, revocationDate, reason: x509.X509CrlReason.keyCompromise })),
        extensions: [await x509.AuthorityKeyIdentifierExtension.create(this.ca, false, webcrypto)],
      },
      webcrypto,
    );
    return new Uint8Array(crl.rawData);
  }

  toJSON(): TestQcaJson {
    return {
      name: this.name,
      crlUrl: this.crlUrl,
      qualified: this.qualified,
      caPem: this.caPem,
      caKeyPkcs8Pem: this.caKeyPkcs8Pem,
      revoked: [...this.revoked].map(([serialNumber, at]) => ({ serialNumber, at: at.toISOString() })),
    };
  }

  restoreRevocations(revoked: TestQcaJson['revoked']): this {
    for (const r of revoked) this.revoked.set(r.serialNumber.toLowerCase(), new Date(r.at));
    return this;
  }
}

/** A new root CA, self-signed, valid ten years; `qualified` (default true) is its persons' default. */
export async function createTestQca(opts: { name?: string; crlUrl: string; qualified?: boolean }): Promise<TestQca> {
  const name = opts.name ?? 'Demo Qualified CA';
  const keys = await newKeyPair();
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [name] }, { O: ['guichet-engine test authority'] }, { C: ['CH'] }],
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
      keys,
      signingAlgorithm: EC_SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return new Authority(name, opts.crlUrl, opts.qualified ?? true, ca, keys.privateKey, await exportPkcs8Pem(keys.privateKey));
}

/** The authority kept by toJSON(); `crlUrl` replaces the stored one for certificates issued from now on. */
export async function loadTestQca(json: TestQcaJson, opts: { crlUrl?: string } = {}): Promise<TestQca> {
  const ca = new x509.X509Certificate(json.caPem);
  const key = await importPrivateKey(json.caKeyPkcs8Pem);
  return new Authority(json.name, opts.crlUrl ?? json.crlUrl, json.qualified, ca, key, json.caKeyPkcs8Pem).restoreRevocations(json.revoked);
}
