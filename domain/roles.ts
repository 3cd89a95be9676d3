// Who calls the engine: the roles a verified token may carry, and the principal the API
// hands to the application layer. Pure types and constants, shared by every layer.

export const ROLES = ['chancellery', 'unit', 'citizen', 'counsellor', 'authority', 'operator', 'postal', 'identity-provider'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  sub: string;
  role: Role;
  /** unit role: the unit's id and the domains it may serve */
  unitId?: string;
  domains: string[];
  /** When the token it came from expires (ms since the epoch): a long-lived stream ends then */
  expiresAt?: number;
  /** How strongly the person signed in (the token's acr) */
  acr?: string;
}
