import type { CantonCode } from '../../domain/profiles';

/** offered → active → revoked | expired; offered → lapsed (not accepted in time) or revoked. */
export type ProxyStatus = 'offered' | 'active' | 'revoked' | 'expired' | 'lapsed';

export interface ProxyInput {
  proxyId: string;
  canton: CantonCode;
  /** When it was offered (ISO): the acceptance period runs from it. */
  offeredAt: string;
  /** Last day it is valid (YYYY-MM-DD, the canton's time zone), if limited. */
  until?: string;
}

export interface ProxyState {
  proxyId: string;
  status: ProxyStatus;
  /** While offered: when it lapses unless accepted. */
  lapsesAt?: string;
  /** While active and limited: when it expires. */
  expiresAt?: string;
}
