// A bad setting stops the process with a message naming it.
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../infra/config';

const key = randomBytes(32).toString('base64');
const valid = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db',
  AUTH_ISSUER: 'http://127.0.0.1:3001',
  AUTH_JWKS_URL: 'http://127.0.0.1:3001/.well-known/jwks.json',
  PAYLOAD_KEYS: `k1:${key}`,
  PAYLOAD_ACTIVE_KEY_ID: 'k1',
  RESIDENT_REGISTER_URL: 'http://127.0.0.1:4010/resident-register',
  PROTECTION_REGISTER_URL: 'http://127.0.0.1:4010/protection-register',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  POSTAL_GATEWAY_URL: 'http://127.0.0.1:4020',
};

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
};

describe('configuration', () => {
  it('accepts a complete configuration and applies the defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({ PORT: 3000, CANTON: 'JU', TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'guichet', BODY_LIMIT: '100kb' });
    expect(c.PAYLOAD_KEYS.get('k1')?.length).toBe(32);
  });

  it('names every missing variable', () => {
    expect(
      problems({})
        .map((p) => p.split(':')[0])
        .sort(),
    ).toEqual([
      'AUTH_ISSUER',
      'DATABASE_URL',
      'PAYLOAD_ACTIVE_KEY_ID',
      'PAYLOAD_KEYS',
      'POSTAL_GATEWAY_URL',
      'PROTECTION_REGISTER_URL',
      'RESIDENT_REGISTER_URL',
      'SMTP_URL',
    ]);
  });

  it('names the bad value and says why', () => {
    expect(problems({ ...valid, PORT: '99999' })).toEqual([expect.stringMatching(/^PORT: /)]);
    expect(problems({ ...valid, DATABASE_URL: 'mysql://x@y/z' })).toEqual(['DATABASE_URL: must be a postgresql:// URL']);
    expect(problems({ ...valid, CANTON: 'GE' })).toEqual([expect.stringMatching(/^CANTON: /)]);
    expect(problems({ ...valid, PAYLOAD_KEYS: 'k1:c2hvcnQ=' })).toEqual(['PAYLOAD_KEYS: key "k1" must be 32 bytes (base64 of 32 random bytes), got 5']);
    expect(problems({ ...valid, PAYLOAD_ACTIVE_KEY_ID: 'k9' })).toEqual(['PAYLOAD_ACTIVE_KEY_ID: no key "k9" in PAYLOAD_KEYS']);
    expect(problems({ ...valid, AUTH_ACR_LEGAL_EFFECT: 'loa-9' })).toEqual([
      'AUTH_ACR_LEGAL_EFFECT: "loa-9" is not one of AUTH_ACR_LEVELS (urn:guichet:acr:password, urn:guichet:acr:mfa, urn:guichet:acr:eid)',
    ]);
  });

  it('wants in production an issuer over HTTPS, the e-ID verifier, the commercial register and the recognised qualified CAs', () => {
    expect(problems({ ...valid, NODE_ENV: 'production' }).sort()).toEqual([
      'AUTH_ISSUER: must be an https:// URL in production',
      'AUTH_JWKS_URL: must be an https:// URL in production',
      'COMMERCIAL_REGISTER_URL: required in production: contracts of legal persons need the signing powers of the commercial register (Art. 11-13)',
      'EID_VERIFIER_URL: required in production: onboarding needs the e-ID (Art. 3)',
      'QES_TRUSTED_CA_FILES: required in production: contracts and terms acceptances need verified qualified signatures',
      "SEAL_KEY_FILE: required in production: issued documents carry the canton's seal",
      'TEMPORAL_TLS_CA_FILE: required in production: the Temporal frontend takes mTLS clients only',
      'TEMPORAL_TLS_CERT_FILE: required in production: the Temporal frontend takes mTLS clients only',
      'TEMPORAL_TLS_KEY_FILE: required in production: the Temporal frontend takes mTLS clients only',
    ]);
    const production = {
      ...valid,
      NODE_ENV: 'production',
      AUTH_ISSUER: 'https://idp.jura.ch/realms/guichet',
      AUTH_JWKS_URL: '',
      EID_VERIFIER_URL: 'https://verifier.jura.ch',
      COMMERCIAL_REGISTER_URL: 'https://www.zefix.admin.ch/ZefixPublicREST',
      QES_TRUSTED_CA_FILES: '/etc/guichet/qes/swisssign.pem',
      SEAL_KEY_FILE: '/etc/guichet/seal/key.pem',
      SEAL_CERTIFICATE_FILE: '/etc/guichet/seal/certificate.pem',
      TEMPORAL_TLS_CA_FILE: '/etc/guichet/temporal/ca.pem',
      TEMPORAL_TLS_CERT_FILE: '/etc/guichet/temporal/guichet-api.pem',
      TEMPORAL_TLS_KEY_FILE: '/etc/guichet/temporal/guichet-api.key',
    };
    expect(problems(production)).toEqual([]);
    // The seal's two files go together; a payment provider needs its credentials and where it calls back.
    expect(problems({ ...valid, SEAL_KEY_FILE: '/k.pem' })).toEqual(['SEAL_CERTIFICATE_FILE: SEAL_KEY_FILE and SEAL_CERTIFICATE_FILE go together']);
    expect(problems({ ...valid, PAYMENT_PROVIDER_URL: 'https://api.sandbox.datatrans.com' }).sort()).toEqual([
      'PAYMENT_MERCHANT_ID: required with PAYMENT_PROVIDER_URL',
      'PAYMENT_PASSWORD: required with PAYMENT_PROVIDER_URL',
      'PAYMENT_SIGN_KEY: required with PAYMENT_PROVIDER_URL',
      'PUBLIC_API_URL: required with PAYMENT_PROVIDER_URL',
    ]);
    // mTLS to Temporal: the CA, the certificate and its key go together.
    expect(problems({ ...valid, TEMPORAL_TLS_CERT_FILE: '/c.pem' }).sort()).toEqual([
      'TEMPORAL_TLS_CA_FILE: the three TEMPORAL_TLS_*_FILE go together',
      'TEMPORAL_TLS_KEY_FILE: the three TEMPORAL_TLS_*_FILE go together',
    ]);
    // In development the embedded identity provider speaks plain HTTP on loopback.
    expect(problems(valid)).toEqual([]);
  });

  it('wants the SMS gateway in production for a counter that sends codes by SMS (NE 4.1, 4.5), and all of its settings once it is set', () => {
    const production = {
      ...valid,
      NODE_ENV: 'production',
      AUTH_ISSUER: 'https://idp.ne.ch/realms/guichet',
      AUTH_JWKS_URL: '',
      EID_VERIFIER_URL: 'https://verifier.ne.ch',
      COMMERCIAL_REGISTER_URL: 'https://www.zefix.admin.ch/ZefixPublicREST',
      QES_TRUSTED_CA_FILES: '/etc/guichet/qes/swisssign.pem',
      SEAL_KEY_FILE: '/etc/guichet/seal/key.pem',
      SEAL_CERTIFICATE_FILE: '/etc/guichet/seal/certificate.pem',
      TEMPORAL_TLS_CA_FILE: '/etc/guichet/temporal/ca.pem',
      TEMPORAL_TLS_CERT_FILE: '/etc/guichet/temporal/guichet-api.pem',
      TEMPORAL_TLS_KEY_FILE: '/etc/guichet/temporal/guichet-api.key',
    };
    expect(problems({ ...production, CANTON: 'NE' })).toEqual([
      'SMS_GATEWAY_URL: required in production for CANTON NE: sign-in and transaction codes are sent by SMS (NE 4.1, 4.5)',
    ]);
    expect(problems({ ...production, CANTON: 'JU' })).toEqual([]);
    // Optional in development, even for NE (npm start runs the fake).
    expect(problems({ ...valid, CANTON: 'NE' })).toEqual([]);

    expect(problems({ ...production, CANTON: 'NE', SMS_GATEWAY_URL: 'https://api.twilio.com' }).sort()).toEqual([
      'SMS_GATEWAY_PASSWORD: required with SMS_GATEWAY_URL',
      'SMS_GATEWAY_USER: required with SMS_GATEWAY_URL',
      'SMS_SENDER: required with SMS_GATEWAY_URL',
    ]);
    const sms = { SMS_GATEWAY_URL: 'https://api.twilio.com', SMS_GATEWAY_USER: 'AC0123', SMS_GATEWAY_PASSWORD: 'token', SMS_SENDER: 'GUICHET' };
    expect(problems({ ...production, CANTON: 'NE', ...sms })).toEqual([]);
    expect(loadConfig({ ...valid, ...sms })).toMatchObject({ ...sms, SMS_TIMEOUT_MS: 10_000 });
    expect(problems({ ...valid, ...sms, SMS_SENDER: 'GUICHET VIRTUEL' })).toEqual([
      expect.stringMatching(/^SMS_SENDER: must be an E.164 number or a sender ID/),
    ]);
    expect(problems({ ...valid, ...sms, SMS_SENDER: '+41791234567' })).toEqual([]);
  });
});

it('takes RULE_SET only when it is known and of the canton (DOMAIN.md §6)', () => {
  expect(() => loadConfig({ ...valid, CANTON: 'JU', RULE_SET: 'NE-GU-2025' })).toThrow(/RULE_SET: NE-GU-2025 is NE's rule set, not CANTON JU's/);
  expect(() => loadConfig({ ...valid, RULE_SET: 'XX-1' })).toThrow(/RULE_SET: unknown rule set; known: JU-GVS-2013, NE-GU-2025/);
  expect(loadConfig({ ...valid, CANTON: 'NE', RULE_SET: 'NE-GU-2025' }).RULE_SET).toBe('NE-GU-2025');
  expect(loadConfig(valid).RULE_SET).toBeUndefined();
});
