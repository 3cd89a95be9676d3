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
  });
});
