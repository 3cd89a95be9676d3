// Nobody without the payload key feeds a workflow: the worker's codec turns every input it
// did not encrypt into a marker (infra/codec.ts, `refusePlaintext`), and these interceptors
// refuse it before any handler sees it. A plaintext signal is dropped, a plaintext Update
// rejected before it is accepted, a plaintext query answered with an error, a workflow
// started with plaintext input ends failed at once. Nothing is thrown that would fail the
// workflow task (which would retry it forever), and nothing is written to the history.
import { ApplicationFailure, log, type WorkflowInterceptors } from '@temporalio/workflow';
import { PLAINTEXT_REFUSED, PLAINTEXT_REFUSED_ERROR } from '../infra/payload-marker';

function refused(args: readonly unknown[]): boolean {
  return args.some((a) => typeof a === 'object' && a !== null && (a as Record<string, unknown>)[PLAINTEXT_REFUSED] === true);
}

function refusal(what: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: PLAINTEXT_REFUSED_ERROR,
    message: `${what} refused: its input was not encrypted by the engine`,
    nonRetryable: true,
  });
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [
    {
      async execute(input, next) {
        if (refused(input.args)) throw refusal('workflow start');
        return next(input);
      },
      async handleSignal(input, next) {
        if (refused(input.args)) {
          log.warn('signal refused: its input was not encrypted by the engine', { signal: input.signalName });
          return;
        }
        return next(input);
      },
      validateUpdate(input, next) {
        if (refused(input.args)) throw refusal(`update ${input.name}`);
        return next(input);
      },
      async handleUpdate(input, next) {
        // Reached without a validator only (validateUpdate refuses first otherwise).
        if (refused(input.args)) throw refusal(`update ${input.name}`);
        return next(input);
      },
      async handleQuery(input, next) {
        if (refused(input.args)) throw refusal(`query ${input.queryName}`);
        return next(input);
      },
    },
  ],
});
