// The workflow histories as payload-key rotation sees them: which runs hold payloads under
// which cluster key (read from the payloads' metadata, nothing decoded), and the signal that
// tells a long-lived process to continue as new under the active key (workflows/rekey.ts).
import { KEY_ID_METADATA } from '../../infra/codec';
import { rekeySignal } from '../../workflows/rekey';
import { WorkflowGateway, WorkflowGoneError, type Temporal } from './temporal';

export interface RunSeen {
  workflowId: string;
  runId: string;
  type: string;
  running: boolean;
  closedAt: Date | null;
}

/** The key ids of every encrypted payload in a history (events, headers, failures, memos: wherever one sits). */
export function payloadKeyIdsIn(value: unknown, found = new Set<string>(), depth = 0): Set<string> {
  if (depth > 40 || value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  if (Array.isArray(value)) {
    for (const v of value) payloadKeyIdsIn(v, found, depth + 1);
    return found;
  }
  const metadata = (value as { metadata?: Record<string, unknown> }).metadata;
  const keyId = metadata && typeof metadata === 'object' ? metadata[KEY_ID_METADATA] : undefined;
  if (keyId instanceof Uint8Array) found.add(Buffer.from(keyId).toString('utf8'));
  for (const v of Object.values(value)) payloadKeyIdsIn(v, found, depth + 1);
  return found;
}

export class PayloadKeyGateway extends WorkflowGateway {
  constructor(
    temporal: Temporal,
    private readonly namespace: string,
  ) {
    super(temporal, {});
  }

  /** Every run the visibility query finds (all of the namespace's when empty), open and closed. */
  async *runs(query?: string): AsyncIterable<RunSeen> {
    for await (const w of this.temporal.client.workflow.list(query ? { query } : {})) {
      const running = w.status.name === 'RUNNING';
      yield { workflowId: w.workflowId, runId: w.runId, type: w.type, running, closedAt: running ? null : (w.closeTime ?? null) };
    }
  }

  /** The cluster keys the run's history holds payloads under. */
  async keyIdsOf(run: Pick<RunSeen, 'workflowId' | 'runId'>): Promise<Set<string>> {
    const history = await this.temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    return payloadKeyIdsIn(history.events ?? []);
  }

  /** Tells the process to continue as new at its next quiet point; false when it is no longer running. */
  async rekey(workflowId: string): Promise<boolean> {
    try {
      await this.signal(workflowId, rekeySignal);
      return true;
    } catch (err) {
      if (err instanceof WorkflowGoneError) return false;
      throw err;
    }
  }

  /** How long the namespace keeps a closed run's history. */
  async retentionMs(): Promise<number> {
    const ns = await this.temporal.client.workflowService.describeNamespace({ namespace: this.namespace });
    const ttl = ns.config?.workflowExecutionRetentionTtl;
    return Number(ttl?.seconds ?? 0) * 1000 + Math.floor((ttl?.nanos ?? 0) / 1e6);
  }
}
