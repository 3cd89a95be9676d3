import type { Principal } from '../domain/roles';

/** Who is asking, and under which request: every use case takes it first. */
export interface Caller {
  principal: Principal;
  /** The HTTP request's id, written to the audit and access logs. */
  requestId: string;
  /** The purpose the caller states for a read of personal data (X-Access-Purpose). */
  statedPurpose?: string;
}

/** The audit entry's actor fields for a caller. */
export const actorOf = (c: Caller) => ({ actorRole: c.principal.role, actorSub: c.principal.sub, requestId: c.requestId });
