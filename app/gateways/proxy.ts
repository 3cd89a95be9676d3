import {
  acceptProxyUpdate,
  ProxyRejections,
  proxyStateQuery,
  proxyWorkflowId,
  revokeProxyUpdate,
  writtenRevocationUpdate,
} from '../../workflows/proxy/definitions';
import type { ProxyInput, ProxyState, WrittenRevocation } from '../../workflows/proxy/types';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const proxyRejections: RejectionStatuses = {
  [ProxyRejections.notOffered]: 409,
  [ProxyRejections.ended]: 409,
  [ProxyRejections.writtenRevocationOnly]: 409,
};

/** Every start, update and query of a proxy's workflow. */
export class ProxyGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, proxyRejections);
  }

  start(input: ProxyInput): Promise<boolean> {
    return this.startOnce('proxy', { workflowId: proxyWorkflowId(input.proxyId), args: [input] });
  }

  state(proxyId: string): Promise<ProxyState | null> {
    return this.queryOrNull(proxyWorkflowId(proxyId), proxyStateQuery);
  }

  accept(proxyId: string, by: string): Promise<ProxyState> {
    return this.update(proxyWorkflowId(proxyId), acceptProxyUpdate, [{ by }], () => new AppError(409, 'conflict', 'this proxy has ended'));
  }

  revoke(proxyId: string, by: string): Promise<ProxyState> {
    return this.update(proxyWorkflowId(proxyId), revokeProxyUpdate, [{ by }], () => new AppError(409, 'conflict', 'this proxy has ended'));
  }

  /** LGSU Art. 22 al. 4: the Chancellery records a written revocation, with immediate effect. */
  revokeInWriting(proxyId: string, revocation: WrittenRevocation): Promise<ProxyState> {
    return this.update(proxyWorkflowId(proxyId), writtenRevocationUpdate, [revocation], () => new AppError(409, 'conflict', 'this proxy has ended'));
  }
}
