// What every workflow gateway shares: starts typed by the workflow function, queries that
// say "not there" as null, and Updates whose refusals keep the workflow's own rejection type
// as the error code. Workflow-not-found is mapped here, once.
import {
  QueryRejectedError,
  WorkflowClient,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowSignalWithStartOptions,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type * as workflows from '../../workflows';
import { AppError } from '../errors';

type Workflows = typeof workflows;
/** The workflow types the worker registers: a name that is not one does not compile. */
export type WorkflowName = keyof Workflows;

export interface Temporal {
  client: Client;
  taskQueue: string;
  /** The deployment's rule set (RULE_SET): every process started here carries it, unless its input names one. */
  ruleSetId?: string;
}

/** What each rejection type of a workflow's validators means as an HTTP status. */
export type RejectionStatuses = Readonly<Record<string, 400 | 403 | 409 | 422>>;

/** The rejection types answered with `status`, for the OpenAPI document. */
export const rejectionsWith = (table: RejectionStatuses, status: number): string[] =>
  Object.entries(table)
    .filter(([, s]) => s === status)
    .map(([type]) => type);

/** A workflow that was never started or has closed: it takes no more events. */
export class WorkflowGoneError extends Error {
  constructor(readonly workflowId: string) {
    super(`workflow ${workflowId} is not running`);
    this.name = 'WorkflowGoneError';
  }
}

/** True when the start went through; false when the workflow id is taken (running, or not allowed to run again). */
async function started(start: Promise<unknown>): Promise<boolean> {
  try {
    await start;
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * The client's twin for queries, which the server refuses for a workflow that has closed: a
 * closed workflow's query would have a worker fetch and replay its whole history (~40 ms),
 * so a closed case is read from its record instead (issue 20). One per client.
 */
const openOnly = new WeakMap<Client, WorkflowClient>();
function openOnlyQueries(client: Client): WorkflowClient {
  let c = openOnly.get(client);
  if (!c) {
    const { namespace, dataConverter, interceptors } = client.options;
    c = new WorkflowClient({ connection: client.connection, namespace, dataConverter, interceptors: interceptors.workflow, queryRejectCondition: 'NOT_OPEN' });
    openOnly.set(client, c);
  }
  return c;
}

export class WorkflowGateway {
  constructor(
    protected readonly temporal: Temporal,
    private readonly rejections: RejectionStatuses,
  ) {}

  /** A process's input, pinned to the deployment's rule set unless it names its own (DOMAIN.md §6). */
  private pinned<A>(args: A): A {
    const [input, ...rest] = (args ?? []) as unknown[];
    const ruleSetId = this.temporal.ruleSetId;
    if (!ruleSetId || !input || typeof input !== 'object' || !('canton' in input) || 'ruleSetId' in input) return args;
    return [{ ...input, ruleSetId }, ...rest] as A;
  }

  /** Starts the workflow; false when it is already running (the same business id again). */
  protected async startOnce<N extends WorkflowName>(
    name: N,
    options: Omit<WorkflowStartOptions<Workflows[N]>, 'taskQueue'>,
    taskQueue = this.temporal.taskQueue,
  ): Promise<boolean> {
    return started(
      this.temporal.client.workflow.start<Workflows[N]>(name, {
        ...options,
        args: this.pinned(options.args),
        taskQueue,
      } as WorkflowStartOptions<Workflows[N]>),
    );
  }

  /** Signals, starting the workflow if it is not running; false when its id may not run again. */
  protected async signalWithStart<N extends WorkflowName, A extends unknown[]>(
    name: N,
    options: Omit<WorkflowSignalWithStartOptions<A>, 'taskQueue'> & { args: Parameters<Workflows[N]> },
  ): Promise<boolean> {
    return started(
      this.temporal.client.workflow.signalWithStart<Workflows[N], A>(name, {
        ...options,
        args: this.pinned(options.args),
        taskQueue: this.temporal.taskQueue,
      } as WorkflowSignalWithStartOptions<A> & WorkflowStartOptions<Workflows[N]>),
    );
  }

  /**
   * The running workflow's answer to the query; null when it has closed (the server refuses
   * the query, no worker replays it: the caller reads the record) or is not on the server.
   * Other failures propagate.
   */
  protected async queryOrNull<T>(workflowId: string, query: QueryDefinition<T, []>): Promise<T | null> {
    try {
      return await openOnlyQueries(this.temporal.client).getHandle(workflowId).query(query);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof QueryRejectedError) return null;
      throw err;
    }
  }

  /**
   * What a workflow returned, read off its close event (no replay); null while it runs, when it
   * ended otherwise than completed, or when it is not on the server.
   */
  protected async resultOrNull<T>(workflowId: string): Promise<T | null> {
    const handle = this.temporal.client.workflow.getHandle(workflowId);
    try {
      if ((await handle.describe()).status.name !== 'COMPLETED') return null;
      return (await handle.result()) as T;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /** Signals a running workflow; WorkflowGoneError when it is not running. */
  protected async signal<A extends unknown[]>(workflowId: string, signal: SignalDefinition<A>, ...args: A): Promise<void> {
    try {
      await this.temporal.client.workflow.getHandle(workflowId).signal(signal, ...args);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new WorkflowGoneError(workflowId);
      throw err;
    }
  }

  /**
   * Runs an Update. A validator's refusal becomes an AppError whose code is the workflow's
   * rejection type (e.g. `TermsRefusalOpen`); a workflow that is not running, `gone()`.
   */
  protected async update<R, A extends unknown[]>(workflowId: string, def: UpdateDefinition<R, A>, args: A, gone: () => AppError): Promise<R> {
    try {
      // The handle's overloads split on empty and non-empty arguments; both take { args }.
      return await this.temporal.client.workflow
        .getHandle(workflowId)
        .executeUpdate(def as unknown as UpdateDefinition<R, [unknown]>, { args: args as unknown as [unknown] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw gone();
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type) {
        const status = this.rejections[cause.type];
        if (status) throw new AppError(status, cause.type, cause.message);
      }
      throw err;
    }
  }
}
