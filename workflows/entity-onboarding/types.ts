import type { CantonCode } from '../../domain/profiles';
import type { TaskView } from '../task/definitions';

/** References only: the entity's data and the register's answer stay in the database. */
export interface EntityOnboardingInput {
  applicationId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
}

export type EntityOnboardingStatus = 'checking' | 'awaiting-powers' | 'awaiting-written-contract' | 'approved' | 'refused';

/**
 * What the commercial register says of the filer, as the workflow routes on it: found and
 * active or not, and the filer's power (Art. 11.1, 13.1). Names stay in the database.
 */
export type RegisterFinding = 'not-found' | 'cancelled' | 'no-power' | 'individual' | 'collective';

export interface EntityOnboardingState {
  applicationId: string;
  status: EntityOnboardingStatus;
  finding?: RegisterFinding;
  pending: TaskView | null;
  refusalReasons?: string[];
  /** Once approved: the entity's subject, named in `onBehalfOf` by its people */
  entitySub?: string;
}
