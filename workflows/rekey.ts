// Payload key rotation (README "Rotating the payload key"): a long-lived process whose
// history holds payloads under a retired key is told to continue as new at its next quiet
// point. The new run's input and everything after it are encoded under the active key, so
// the retired key is needed only by closed runs until the namespace's retention deletes
// them. Processes that end by themselves (an application, a decision's service, a task)
// are not told: they close, and their histories go the same way.
//
// Handling the signal adds no command to a history that never received it: a run started
// before this code replays unchanged.
// Imports nothing but @temporalio/workflow, so the API and the scripts can import it.
import { defineSignal } from '@temporalio/workflow';

export const rekeySignal = defineSignal('rekey');

/** The workflow types that continue as new on `rekey`: those that live for years. */
export const REKEYABLE_TYPES: readonly string[] = ['contract', 'accessRights', 'retention'];
