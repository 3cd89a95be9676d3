// The payload codec: what an operator and a data-protection officer rely on.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, KeyUnavailableError } from '../../infra/codec';

const person = { avsNumber: '756.9217.0769.85', email: 'jeanne.citoyenne@example.ch' };
const payload = () => defaultPayloadConverter.toPayload(person)!;

describe('AesGcmCodec', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips a payload and leaves no plaintext in the encoded bytes', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const [encoded] = await codec.encode([payload()]);
    const bytes = Buffer.from(encoded!.data!);
    expect(bytes.includes(Buffer.from(person.avsNumber))).toBe(false);
    expect(bytes.includes(Buffer.from(person.email))).toBe(false);
    expect(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(person);
  });

  it('decodes payloads written under an older key after rotation', async () => {
    const old = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const rotated = new AesGcmCodec(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    const [fromOld] = await old.encode([payload()]);
    const [fromNew] = await rotated.encode([payload()]);
    expect(Buffer.from(fromNew!.metadata!['encryption-key-id']!).toString()).toBe('k2');
    for (const p of [fromOld!, fromNew!]) {
      expect(defaultPayloadConverter.fromPayload((await rotated.decode([p]))[0]!)).toEqual(person);
    }
  });

  it('refuses a payload whose key is gone, saying so', async () => {
    const [encoded] = await new AesGcmCodec(new Map([['k1', k1]]), 'k1').encode([payload()]);
    const withoutK1 = new AesGcmCodec(new Map([['k2', k2]]), 'k2');
    await expect(withoutK1.decode([encoded!])).rejects.toBeInstanceOf(KeyUnavailableError);
    await expect(withoutK1.decode([encoded!])).rejects.toThrow('payload key "k1" is not in this keyring');
  });

  it('detects a tampered payload', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const [encoded] = await codec.encode([payload()]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0xff;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow();
  });

  it('passes through payloads it did not encrypt', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const plain = payload();
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});
