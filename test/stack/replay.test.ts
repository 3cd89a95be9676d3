// Determinism guard: today's workflow code must replay the histories of earlier runs.
import { readdirSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { workerDataConverter } from '../../infra/codec';
import { FIXTURES, fixtureDataKeyStore, fixtureKeyring, readHistory } from '../support/histories';
import { bundle, quietRuntime } from '../support/stack';

describe('workflow replay', () => {
  it('replays every recorded history without a non-determinism error', async () => {
    quietRuntime();
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.binpb'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const { keys, activeKeyId } = fixtureKeyring();
    const histories = files.map((f) => ({ workflowId: f, history: readHistory(f) }));
    const results = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: await bundle(), dataConverter: workerDataConverter(keys, activeKeyId, fixtureDataKeyStore(keys)) },
      histories,
    )) {
      results.push({ file: r.workflowId, error: r.error?.message });
    }
    expect(results).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
