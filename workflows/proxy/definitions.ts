// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ProxyState } from './types';

export const PROXY_PROCESS = 'proxy';

/** Workflow id from the business id only — never from personal data, a clock or chance. */
export const proxyWorkflowId = (proxyId: string) => `${PROXY_PROCESS}/${proxyId}`;

export const proxyStateQuery = defineQuery<ProxyState>('state');

/** The representative accepts the proxy with his own identity (Art. 9.1). */
export const acceptProxyUpdate = defineUpdate<ProxyState, [{ by: string }]>('accept');
/** The represented person revokes it, with immediate effect (Art. 9.3). */
export const revokeProxyUpdate = defineUpdate<ProxyState, [{ by: string }]>('revoke');

/** Error types the validators throw, mapped to HTTP answers by the API. */
export const ProxyRejections = {
  notOffered: 'ProxyNotOffered',
  ended: 'ProxyEnded',
} as const;
