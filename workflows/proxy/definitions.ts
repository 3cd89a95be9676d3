// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ProxyState, WrittenRevocation } from './types';

export const PROXY_PROCESS = 'proxy';

/** Workflow id from the business id only — never from personal data, a clock or chance. */
export const proxyWorkflowId = (proxyId: string) => `${PROXY_PROCESS}/${proxyId}`;
/** The Chancellery's task for the written proxy (NE 3.2). */
export const writtenProxyTaskId = (proxyId: string) => `${proxyId}-written-proxy`;

export const proxyStateQuery = defineQuery<ProxyState>('state');

/** The representative accepts the proxy with his own identity (Art. 9.1). */
export const acceptProxyUpdate = defineUpdate<ProxyState, [{ by: string }]>('accept');
/** The represented person revokes it, with immediate effect (Art. 9.3). */
export const revokeProxyUpdate = defineUpdate<ProxyState, [{ by: string }]>('revoke');
/** The Chancellery records a written request of either party, with immediate effect (LGSU Art. 22 al. 4). */
export const writtenRevocationUpdate = defineUpdate<ProxyState, [WrittenRevocation]>('writtenRevocation');

/** Error types the validators throw, mapped to HTTP answers by the API. */
export const ProxyRejections = {
  notOffered: 'ProxyNotOffered',
  ended: 'ProxyEnded',
  /** 409: NE unrestricted proxy — revoked only by a written request to the Chancellery */
  writtenRevocationOnly: 'ProxyRevokedInWritingOnly',
} as const;
