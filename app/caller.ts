import type { Principal } from '../domain/roles';

/** Who is asking, and under which request: every use case takes it first. */
export interface Caller {
  principal: Principal;
  /** The HTTP request's id, written to the audit and access logs. */
  requestId: string;
  /** The purpose the caller states for a read of personal data (X-Access-Purpose). */
  statedPurpose?: string;
}

/** The access log's reader fields for a caller: who, in which unit, under which request and stated purpose. */
export const readerOf = (c: Caller) => ({ ...actorOf(c), actorUnit: c.principal.unitId ?? null, statedPurpose: c.statedPurpose });

/** The audit entry's actor fields for a caller. */
export const actorOf = (c: Caller) => ({ actorRole: c.principal.role, actorSub: c.principal.sub, requestId: c.requestId });
