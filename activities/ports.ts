// The external systems the activities talk to, as interfaces: the real adapters speak HTTP
// or SMTP; tests and `npm start` point them at small real services standing in for the
// systems we cannot run here (the cantonal registers).

/** What the cantonal resident register says of a person, by AVS number. */
export interface ResidentRecord {
  avsNumber: string;
  /** YYYY-MM-DD */
  birthDate: string;
  domiciledInCanton: boolean;
  /** commune of residence (official name), null when not domiciled in the canton */
  commune: string | null;
  /** a protection measure is recorded in the resident register */
  protectionMeasure: boolean;
}

export interface ResidentRegister {
  /** null: the register does not know this AVS number */
  lookup(avsNumber: string): Promise<ResidentRecord | null>;
}

export interface ProtectionRegister {
  /** Whether the protection authority (APEA) records a measure for this person. */
  hasMeasure(avsNumber: string): Promise<boolean>;
}

export type { MailMessage, Mailer } from '../records/outbox';

/** The contract workflows, as the activities that start and notify them see them. */
export interface ContractEngine {
  /** Starts the contract's workflow; nothing when it is already running. */
  start(input: import('../workflows/contract/types').ContractInput): Promise<void>;
  /**
   * Tells a contract's workflow of a terms version, starting it when it is not running (a
   * contract admitted before the lifecycle existed). False when its workflow has closed.
   */
  notifyTerms(input: import('../workflows/contract/types').ContractInput, notice: import('../workflows/contract/types').TermsNotice): Promise<boolean>;
  /** A formal decision lifts the block kept after a terms refusal (nothing if the contract's workflow has closed). */
  liftBlockByDecision(contractId: string, lift: { requestId: string; by: string; clauses: string[]; taskId: string }): Promise<void>;
  /** A formal decision annulled the contract's end: its workflow runs again (nothing when it is running). */
  restore(input: import('../workflows/contract/types').ContractInput): Promise<void>;
}

/** The retention processes, as the activities that start and wake them see them. */
export interface RetentionEngine {
  /** Starts the record's retention process; nothing when it exists already. */
  schedule(input: import('../workflows/retention/definitions').RetentionInput): Promise<void>;
  /** Tells the record's retention process that its legal holds changed (nothing if it has none). */
  holdsChanged(kind: import('../workflows/retention/definitions').RecordKind, id: string): Promise<void>;
  /** The record's event day is void (a contract's end annulled): its retention process stops, to be scheduled again. */
  cancel(kind: import('../workflows/retention/definitions').RecordKind, id: string): Promise<void>;
}

/** The proxy workflows, as the activities that start a standing proxy (Art. 9.4, 9.5) see them. */
export interface ProxyEngine {
  /** Starts the proxy's workflow; nothing when it is already running. */
  start(input: import('../workflows/proxy/types').ProxyInput): Promise<unknown>;
}
