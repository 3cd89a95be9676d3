/**
 * Neuchâtel's access rights (NE 4.1, 7.1, 7.4, 7.6): the port between the identity provider,
 * which checks a user code, a password and a second factor, and the durable per-account
 * process that counts wrong entries, locks, blocks and deactivates (workflows/access-rights).
 * The provider asks before it checks anything and reports every outcome; the process alone
 * decides. No personal data crosses it: the account is the register's user id.
 */

export type AccessRightsState =
  /** Sign-in allowed. */
  | 'active'
  /** 5 wrong entries: no sign-in until `lockedUntil` (NE 7.1). */
  | 'locked'
  /** The 8th wrong attempt in a row: blocked until the Chancellery lifts it on a written request (NE 7.6). */
  | 'blocked'
  /** 540 days without a sign-in (NE 7.4): reactivated by the Chancellery. */
  | 'deactivated';

export interface AccessRightsStatus {
  state: AccessRightsState;
  /** ISO instant, while `locked`. */
  lockedUntil?: string;
  /** Wrong entries in a row since the last successful sign-in. */
  failuresInARow: number;
  /** ISO instant of the last successful sign-in, if any. */
  lastSignInAt?: string;
  /** ISO instant at which the account will be deactivated if nobody signs in. */
  deactivatesAt?: string;
}

/** Which element of a sign-in was wrong: each counts the same (NE 7.1 "de n'importe quel élément"). */
export type SignInElement = 'user-code' | 'password' | 'second-factor';

export interface AccessRightsPort {
  /** Before checking anything: may this account try to sign in now? (Never throws for a known account.) */
  status(userId: string): Promise<AccessRightsStatus | null>;
  /** A wrong entry of any element; returns the state after it (e.g. `locked` at the 5th, `blocked` at the 8th). */
  failed(userId: string, element: SignInElement): Promise<AccessRightsStatus>;
  /** All elements right: resets the count of wrong entries and the 540-day timer. */
  succeeded(userId: string): Promise<AccessRightsStatus>;
}
