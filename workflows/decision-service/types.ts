import type { CantonCode } from '../../domain/profiles';

/** References only: the decision and the recipient's data stay in the database. */
export interface DecisionServiceInput {
  decisionId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  unitId: string;
  remedyDays: number;
  provisionalMeasure: boolean;
}

export type ServiceState =
  | 'checking-consent'
  /** In the inbox, the window running (Art. 16.3-16.4) */
  | 'awaiting-opening'
  /** Sent by registered post, waiting for its tracking (Art. 16.5) */
  | 'awaiting-postal-delivery'
  /** Service valid: the remedy period runs */
  | 'served';

export type ServiceRule = 'opened in time' | 'delivered by post' | 'deemed delivery' | 'deemed notified at the end of the electronic window';

export interface PostalEventIn {
  type: 'delivered' | 'notice-left' | 'returned-uncollected';
  /** YYYY-MM-DD, the canton's calendar */
  occurredOn: string;
  /** The postal service's event id: the same event signalled again (an API retry) is taken once. */
  eventId?: string;
}

export interface DecisionServiceState {
  decisionId: string;
  state: ServiceState;
  channel: 'electronic' | 'postal' | null;
  communicatedAt?: string;
  windowLastDay?: string;
  openedAt?: string;
  lateOpenedAt?: string;
  postalEvents: PostalEventIn[];
  /** Tracking events that cannot be true of this letter: recorded, never acted on. */
  rejectedPostalEvents?: (PostalEventIn & { problem: string })[];
  deemedDeliveryDate?: string;
  rule?: ServiceRule;
  triggerDay?: string;
  remedy?: { start: string; lastDay: string };
}
