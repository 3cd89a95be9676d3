// Crypto-shredding: a record's personal data is encrypted under its own data key inside the
// cluster encryption; destroying the key makes exactly those payloads unreadable.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { DataKeyCodec, dataKeyIdsIn, KeyDestroyedError, type DataKeyStore } from '../../infra/data-keys';
import { personalData } from '../../workflows/personal-data';

function memoryStore(): DataKeyStore & { destroyed: Set<string> } {
  const keys = new Map<string, Buffer>();
  const destroyed = new Set<string>();
  return {
    destroyed,
    async forEncrypt(id) {
      if (destroyed.has(id)) throw new KeyDestroyedError(id, new Date('2029-03-01T00:00:00Z'));
      if (!keys.has(id)) keys.set(id, randomBytes(32));
      return keys.get(id)!;
    },
    async forDecrypt(id) {
      if (destroyed.has(id) || !keys.has(id)) throw new KeyDestroyedError(id, new Date('2029-03-01T00:00:00Z'));
      return keys.get(id)!;
    },
    async destroy(id) {
      destroyed.add(id);
      return keys.delete(id);
    },
  };
}

const jeanne = personalData('access-request', 'r-1', { avsNumber: '756.9217.0769.85', email: 'jeanne.citoyenne@example.ch' });
const toPayload = (v: unknown) => defaultPayloadConverter.toPayload(v)!;
const fromPayload = (p: Parameters<typeof defaultPayloadConverter.fromPayload>[0]) => defaultPayloadConverter.fromPayload(p);

describe('DataKeyCodec', () => {
  it('encrypts a payload that carries $dataKey under that key, and names the key (not the person) in its metadata', async () => {
    const codec = new DataKeyCodec(memoryStore());
    const [sealed] = await codec.encode([toPayload({ requestId: 'r-1', applicant: jeanne })]);
    expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe('binary/data-key-encrypted');
    expect(Buffer.from(sealed!.metadata!['data-key-ids']!).toString()).toBe('access-request:r-1');
    expect(Buffer.from(sealed!.data!).includes(Buffer.from('jeanne'))).toBe(false);
    expect(fromPayload((await codec.decode([sealed!]))[0]!)).toEqual({ requestId: 'r-1', applicant: jeanne });
  });

  it('leaves other payloads to the cluster encryption alone', async () => {
    const codec = new DataKeyCodec(memoryStore());
    const plain = toPayload({ decisionId: 'd-1', state: 'served' });
    expect(await codec.encode([plain])).toEqual([plain]);
  });

  it('after the key is destroyed: that payload says "key destroyed", the others still decode, and nothing new is written under it', async () => {
    const store = memoryStore();
    const codec = new DataKeyCodec(store);
    const [a, b] = await codec.encode([toPayload(jeanne), toPayload(personalData('contract', 'c-9', { clauses: ['x'] }))]);
    await store.destroy('access-request:r-1');
    await expect(codec.decode([a!])).rejects.toThrow(KeyDestroyedError);
    await expect(codec.decode([a!])).rejects.toThrow('key destroyed: the personal data of access-request:r-1 was destroyed on 2029-03-01');
    expect(fromPayload((await codec.decode([b!]))[0]!)).toMatchObject({ clauses: ['x'] });
    await expect(codec.encode([toPayload(jeanne)])).rejects.toThrow(KeyDestroyedError);
  });

  it('a payload of two records is unreadable once either is destroyed', async () => {
    const store = memoryStore();
    const codec = new DataKeyCodec(store);
    const [both] = await codec.encode([toPayload({ a: jeanne, b: personalData('contract', 'c-1', { note: 'n' }) })]);
    expect(Buffer.from(both!.metadata!['data-key-ids']!).toString()).toBe('access-request:r-1,contract:c-1');
    await store.destroy('contract:c-1');
    await expect(codec.decode([both!])).rejects.toThrow(KeyDestroyedError);
  });

  it('refuses to encode personal data without a store rather than leave it under the cluster key only', async () => {
    await expect(new DataKeyCodec(null).encode([toPayload(jeanne)])).rejects.toThrow('no data-key store');
  });

  it('finds data keys at any depth, ignores malformed ones', () => {
    expect([...dataKeyIdsIn({ x: [{ y: { $dataKey: 'decision:d-1' } }], $dataKey: 'not a key id' })]).toEqual(['decision:d-1']);
  });
});
