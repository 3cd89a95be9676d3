import type { CantonCode } from '../../domain/profiles';
import type { TaskView } from '../task/definitions';

/**
 * offered → active → revoked | expired; offered → lapsed (not accepted in time) or revoked.
 * NE unrestricted (LGSU Art. 22 al. 3): offered → awaiting-written-proxy → active | refused | revoked.
 * Given by the Chancellery (Art. 9.4, 9.5): active from the start.
 */
export type ProxyStatus = 'offered' | 'awaiting-written-proxy' | 'active' | 'revoked' | 'expired' | 'lapsed' | 'refused';

/** How a proxy was given (its row's `form`). */
export type ProxyForm = 'electronic' | 'written-legalised' | 'legal-representation' | 'written-contract';

export interface ProxyInput {
  proxyId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  /** When it was offered (ISO): the acceptance period runs from it. */
  offeredAt: string;
  /** Last day it is valid (YYYY-MM-DD, the canton's time zone), if limited. */
  until?: string;
  /** No service named: every delegable one (NE: needs the written form, LGSU Art. 22 al. 3). */
  unrestricted?: boolean;
  /** Given by a decision of the Chancellery (Art. 9.4, 9.5): in force at once, nobody accepts it. */
  standing?: { form: 'legal-representation' | 'written-contract'; by: string };
}

export interface ProxyState {
  proxyId: string;
  status: ProxyStatus;
  /** While offered: when it lapses unless accepted. */
  lapsesAt?: string;
  /** While active and limited: when it expires. */
  expiresAt?: string;
  /** While awaiting the written proxy: the Chancellery's task. */
  pending?: TaskView | null;
}

/** A written revocation received by the Chancellery (LGSU Art. 22 al. 4). */
export interface WrittenRevocation {
  /** The Chancellery staff member who records it */
  by: string;
  /** The day the written request arrived (YYYY-MM-DD) */
  receivedOn: string;
  from: 'grantor' | 'representative';
}
