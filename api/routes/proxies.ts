// Proxies (Art. 9.1-9.3). Each route: parse → use case (app/proxies.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { proxyRejections } from '../../app/gateways/proxy';
import type { Api } from '../http';
import { rejections } from '../openapi';
import { isoDay, text } from '../schemas';

export const proxyView = z
  .object({
    proxyId: z.string(),
    grantorSub: z.string(),
    representativeSub: z.string(),
    services: z.array(z.string()).openapi({ description: 'Empty: every delegable service' }),
    decisions: z.boolean().openapi({ description: 'He may read her decisions; his first opening is the taking of cognizance (Art. 16.4)' }),
    until: z.string().optional(),
    status: z.enum(['offered', 'awaiting-written-proxy', 'active', 'revoked', 'expired', 'lapsed', 'refused']).openapi({
      description: 'NE unrestricted (LGSU Art. 22 al. 3): accepted, it awaits the written proxy the Chancellery records (refused if it does not)',
    }),
    form: z.enum(['electronic', 'written-legalised', 'legal-representation', 'written-contract']),
    writtenRevocation: z
      .object({ receivedOn: z.string(), from: z.enum(['grantor', 'representative']) })
      .optional()
      .openapi({ description: 'Revoked by a written request recorded by the Chancellery (LGSU Art. 22 al. 4)' }),
    offeredAt: z.string(),
    acceptedAt: z.string().optional(),
    endedAt: z.string().optional(),
  })
  .openapi('Proxy');

const params = z.object({ id: z.uuid('not a proxy id') });

export function proxyRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const proxies = application.proxies;

  api.add(router, {
    method: 'post',
    path: '/v1/me/proxies',
    tag: 'Representation',
    summary: 'Give another user of the counter a proxy (Art. 9.1): for named services, optionally until a day; he accepts it within 30 days or it lapses',
    roles: ['citizen'],
    body: z
      .object({
        representativeSub: text(200).openapi({ description: "The representative's subject on the counter" }),
        services: z.array(text(100)).max(100).default([]).openapi({ description: 'The services it covers; none: every delegable one' }),
        decisions: z
          .boolean()
          .default(false)
          .openapi({ description: 'Also the decisions served to me: he reads them and his opening counts as mine (Art. 16.4)' }),
        until: isoDay.optional().openapi({ description: 'Its last day (the canton’s time zone)' }),
      })
      .strict()
      .openapi('ProxyIn'),
    responses: { 201: { description: 'Offered', schema: proxyView }, 422: { description: 'The representative is not a user of the counter' } },
    async handler({ body, caller }) {
      const p = await proxies.grant(caller, body);
      return { status: 201, body: p, headers: { Location: `/v1/proxies/${p.proxyId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/proxies',
    tag: 'Representation',
    summary: 'The proxies I gave and those given to me',
    roles: ['citizen'],
    responses: { 200: { description: 'The proxies', schema: z.object({ proxies: z.array(proxyView) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { proxies: await proxies.list(caller) } }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/proxies/:id/acceptance',
    tag: 'Representation',
    summary: 'The representative accepts the proxy, with his own identity',
    roles: ['citizen'],
    params,
    responses: {
      200: { description: 'Active', schema: proxyView },
      409: { description: rejections(proxyRejections, 409, 'Not offered any more (lapsed, revoked)') },
    },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await proxies.accept(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/proxies/:id/revocation',
    tag: 'Representation',
    summary: "Revoke a proxy I gave (Art. 9.3), with immediate effect: the representative's next act is refused (403 no_proxy)",
    roles: ['citizen'],
    params,
    responses: {
      200: { description: 'Revoked', schema: proxyView },
      409: {
        description: rejections(
          proxyRejections,
          409,
          'Ended already; or (ProxyRevokedInWritingOnly) an NE unrestricted proxy, revoked by a written request to the Chancellery, LGSU Art. 22 al. 4',
        ),
      },
    },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await proxies.revoke(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/proxies/:id/written-revocation',
    tag: 'Representation',
    summary:
      'The Chancellery records a written request of either party to revoke a proxy (LGSU Art. 22 al. 4; also a standing proxy of Art. 9.4-9.5), with immediate effect',
    roles: ['chancellery'],
    params,
    body: z
      .object({
        receivedOn: isoDay.openapi({ description: 'The day the written request arrived' }),
        from: z.enum(['grantor', 'representative']).openapi({ description: 'Who sent it: the represented person or the representative' }),
      })
      .strict()
      .openapi('WrittenRevocationIn'),
    responses: { 200: { description: 'Revoked', schema: proxyView }, 409: { description: rejections(proxyRejections, 409, 'Ended already') } },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await proxies.revokeInWriting(caller, p.id, body) }),
  });

  return router;
}
