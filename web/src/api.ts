// The engine's API, as the workspace uses it: the same routes, validations and errors as any
// other client (errors carry { code, message, details: [{ path, issue }] }).
import { createParser } from 'eventsource-parser';

export interface FieldIssue {
  path: string;
  issue: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[],
  ) {
    super(message);
  }
  /** The message with what the API said of each field, for a place that shows it all at once. */
  describe(): string {
    return this.details.length ? `${this.message} (${this.details.map((d) => `${d.path}: ${d.issue}`).join('; ')})` : this.message;
  }
  /** The issues about one field (and its items: `reasons.0` belongs to `reasons`). */
  about(field: string): string[] {
    return this.details.filter((d) => d.path === field || d.path.startsWith(`${field}.`)).map((d) => d.issue);
  }
}

export const describe = (err: unknown) => (err instanceof ApiFailure ? err.describe() : (err as Error).message);

/** The kinds of task this workspace knows: labels, the inbox's filter, the decision forms. */
export const KNOWN_KINDS = [
  'review',
  'authority-inquiry',
  'formal-decision',
  'terms-refusal',
  'postal-tracking',
  'entity-powers',
  'written-contract',
  'written-proxy',
  'legal-representation',
  'written-proxy-contract',
  'access-rights-block',
  'account-deactivated',
  'access-request',
  'transaction',
] as const;
export type KnownTaskKind = (typeof KNOWN_KINDS)[number];
/** The API may add kinds before the workspace knows them: any string, shown by its code. */
export type TaskKind = KnownTaskKind | (string & {});

export interface Task {
  taskId: string;
  kind: TaskKind;
  status: 'open' | 'completed';
  applicationId: string | null;
  contractId: string | null;
  /** The legal entity's application an entity task is about (Art. 11.2, 13.1) */
  entityApplicationId?: string | null;
  decisionId?: string | null;
  formalRequestId?: string | null;
  unitId?: string | null;
  /** The access request an access-request task decides (Art. 14.2) */
  accessRequestId?: string | null;
  /** The transaction a transaction task answers (Art. 15.2) */
  transactionId?: string | null;
  canton: string;
  commune: string | null;
  subject: string;
  claimedBy: string | null;
  dueAt: string;
  overdue: boolean;
  remindersSent: number;
  escalated: boolean;
  createdAt: string;
  outcome: string | null;
  /** On an entity task, for the Chancellery: the filer and the register's answer (the read is access-logged). */
  entity?: EntityReview;
}

/** What the commercial register says of the filer's power: the application's finding. */
export type RegisterFinding = 'individual' | 'collective' | 'no-power' | 'not-found' | 'cancelled';

export interface RegisterSignatory {
  lastName: string;
  firstName: string;
  birthDate?: string;
  function?: string;
  /** individual | collective | none */
  signingPower: string;
}

export interface EntityReview {
  uid: string;
  filedBy: { lastName: string; firstName: string; birthDate: string };
  signingPower: RegisterFinding | (string & {}) | null;
  register: { name: string; legalForm: string; legalSeat: string; status: string; signatories: RegisterSignatory[] } | null;
}

export interface EntityApplication {
  applicationId: string;
  uid: string;
  filedBySub: string;
  status: 'checking' | 'awaiting-powers' | 'awaiting-written-contract' | 'approved' | 'refused' | 'withdrawn';
  finding?: RegisterFinding;
  pending: { kind: string; taskId: string; dueAt: string } | null;
  refusalReasons?: string[];
  entitySub?: string;
  submittedAt: string;
}

export interface EntityMember {
  sub: string;
  role: 'signatory' | 'administrator' | 'employee';
  services: string[];
  status: 'active' | 'blocked';
  addedAt: string;
  blockedAt?: string;
  blockReason?: string;
}

export interface LegalEntity {
  entitySub: string;
  uid: string;
  name: string;
  legalForm: string;
  legalSeat: string;
  signingPower: 'individual' | 'collective';
  contract: { contractId: string; status: string; startedOn: string } | null;
  members?: EntityMember[];
}

export interface Proxy {
  proxyId: string;
  grantorSub: string;
  representativeSub: string;
  /** Empty: every delegable service */
  services: string[];
  decisions: boolean;
  until?: string;
  status: 'offered' | 'active' | 'revoked' | 'expired' | 'lapsed';
  offeredAt: string;
  acceptedAt?: string;
  endedAt?: string;
}

export interface Representation {
  proxies: Proxy[];
  entities: Array<{ uid: string; name: string; role: EntityMember['role']; services: string[]; status: 'active' | 'blocked' }>;
}

export interface InboxFilters {
  status?: 'open' | 'completed';
  kind?: TaskKind;
  claimedBy?: 'me' | 'none';
  overdue?: 'true' | 'false';
  canton?: 'JU' | 'NE';
  commune?: string;
  order?: 'asc' | 'desc';
}

export interface SavedView {
  id: string;
  name: string;
  filters: InboxFilters;
}

export interface Application {
  applicationId: string;
  status: string;
  pending: { kind: string; taskId: string; dueAt: string; claimed: boolean } | null;
  refusalReasons?: string[];
  formalDecisionDeadline?: string;
  submittedAt: string;
  applicant?: {
    sub: string;
    lastName: string;
    firstName: string;
    birthDate: string;
    commune: string;
    street: string;
    postCode: string;
    locality: string;
    email: string;
  };
}

export interface Contract {
  contractId: string;
  status: 'active' | 'restricted' | 'blocked' | 'terminating' | 'terminated';
  reason: string | null;
  acceptedTermsVersion: string;
  pendingTerms: { version: string; effectiveOn: string; restrictFrom: string; blockFrom: string } | null;
  noticeEndsOn: string | null;
  endedOn: string | null;
  specialClauses: string[];
  /** The holder's subject: a person's, or entity:… for a legal entity */
  holderSub?: string;
}

/** A submission to a service (Art. 15), as its unit reads it. */
export interface Transaction {
  transactionId: string;
  receiptNumber: string;
  state: string;
  serviceId: string;
  submittedAt: string;
  payment: { state: string; feeCents: number } | null;
  completionDueAt: string | null;
  rounds: number;
  form: Record<string, unknown>;
  attachments: { id: string; name: string; contentType: string; sizeBytes: number }[];
}

export interface CaseTimeline {
  caseType: 'onboarding-application' | 'decision' | 'transaction';
  caseId: string;
  canton: string;
  range: { start: string; end: string };
  events: { at: string; day: string; kind: string; detail?: string }[];
  periods: { kind: string; start: string; end: string; rule?: string }[];
  deadlines: { kind: string; due: string; day: string; pending: boolean }[];
  feries: { start: string; end: string }[];
  holidays: string[];
  history: { at: string; action: string; actorRole: string; actorSub: string | null }[];
}

export type TaskChange = Pick<
  Task,
  'taskId' | 'kind' | 'status' | 'claimedBy' | 'outcome' | 'dueAt' | 'canton' | 'commune' | 'applicationId' | 'contractId'
> & { op: 'insert' | 'update' };

export class Api {
  constructor(
    private readonly token: () => string,
    private readonly onUnauthorized: () => void,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) this.onUnauthorized();
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: FieldIssue[] } };
    if (!res.ok) throw new ApiFailure(res.status, json.error?.code ?? 'error', json.error?.message ?? `HTTP ${res.status}`, json.error?.details ?? []);
    return json as T;
  }

  tasks(filters: InboxFilters, cursor: string | null, limit = 25) {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    return this.call<{ items: Task[]; nextCursor: string | null }>('GET', `/v1/tasks?${q}`);
  }
  task = (id: string) => this.call<Task>('GET', `/v1/tasks/${encodeURIComponent(id)}`);
  claim = (id: string) => this.call<Task>('POST', `/v1/tasks/${encodeURIComponent(id)}/claim`);
  release = (id: string) => this.call<Task>('POST', `/v1/tasks/${encodeURIComponent(id)}/release`);
  complete = (id: string, body: unknown) => this.call<Task>('POST', `/v1/tasks/${encodeURIComponent(id)}/complete`, body);
  application = (id: string) => this.call<Application>('GET', `/v1/onboarding/applications/${encodeURIComponent(id)}`);
  applicationTimeline = (id: string) => this.call<CaseTimeline>('GET', `/v1/onboarding/applications/${encodeURIComponent(id)}/timeline`);
  transaction = (id: string) => this.call<Transaction>('GET', `/v1/transactions/${encodeURIComponent(id)}`);
  transactionTimeline = (id: string) => this.call<CaseTimeline>('GET', `/v1/transactions/${encodeURIComponent(id)}/timeline`);
  answerTransaction = (id: string, body: unknown) => this.call<Transaction>('POST', `/v1/transactions/${encodeURIComponent(id)}/answer`, body);
  decisionTimeline = (id: string) => this.call<CaseTimeline>('GET', `/v1/decisions/${encodeURIComponent(id)}/timeline`);
  contract = (id: string) => this.call<Contract>('GET', `/v1/contracts/${encodeURIComponent(id)}`);
  entityApplication = (id: string) => this.call<EntityApplication>('GET', `/v1/entity-applications/${encodeURIComponent(id)}`);
  entity = (uid: string) => this.call<LegalEntity>('GET', `/v1/entities/${encodeURIComponent(uid)}`);
  representation = (sub: string) => this.call<Representation>('GET', `/v1/people/${encodeURIComponent(sub)}/representation`);
  decision = (id: string) => this.call<Record<string, unknown>>('GET', `/v1/decisions/${encodeURIComponent(id)}`);
  views = () => this.call<{ items: SavedView[] }>('GET', '/v1/me/views');
  saveView = (name: string, filters: InboxFilters) => this.call<SavedView>('POST', '/v1/me/views', { name, filters });
  updateView = (id: string, name: string, filters: InboxFilters) => this.call<SavedView>('PUT', `/v1/me/views/${encodeURIComponent(id)}`, { name, filters });
  deleteView = (id: string) => this.call<void>('DELETE', `/v1/me/views/${encodeURIComponent(id)}`);

  /**
   * Server-sent events from /v1/tasks/events, read with fetch (an EventSource cannot send the
   * bearer token). Reconnects with backoff; `onGap` tells the page to reload what it shows,
   * since changes made while disconnected were not seen.
   */
  watchTasks(onChange: (c: TaskChange) => void, onState: (live: boolean) => void): () => void {
    let stopped = false;
    let controller: AbortController | null = null;
    let attempt = 0;
    const run = async () => {
      while (!stopped) {
        controller = new AbortController();
        try {
          const res = await fetch('/v1/tasks/events', {
            headers: { authorization: `Bearer ${this.token()}`, accept: 'text/event-stream' },
            signal: controller.signal,
          });
          if (res.status === 401) this.onUnauthorized();
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          attempt = 0;
          onState(true);
          const parser = createParser({
            onEvent: (e) => {
              if (e.event === 'task') onChange(JSON.parse(e.data) as TaskChange);
              // The stream ends with the token that opened it: sign in again.
              if (e.event === 'token-expired') this.onUnauthorized();
            },
          });
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.feed(value);
          }
        } catch {
          // Aborted by stop(), or the connection failed: retried below unless stopped.
        }
        if (stopped) return;
        onState(false);
        attempt += 1;
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5))));
      }
    };
    void run();
    return () => {
      stopped = true;
      controller?.abort();
    };
  }
}
