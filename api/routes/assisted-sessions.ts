// Assisted sessions (Art. 9; seed 003): the citizen lets a post-office counsellor act for him
// for a limited time. Each route: parse → use case (app/assisted-sessions.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import type { Api } from '../http';
import { text } from '../schemas';

const sessionView = z
  .object({
    sessionId: z.string(),
    citizenSub: z.string(),
    counsellorSub: z.string(),
    postOffice: z.string(),
    openedBy: z.enum(['citizen', 'eid-at-counter']).openapi({ description: "The citizen's own sign-in, or his e-ID presentation at the counter (onboarding)" }),
    openedAt: z.string(),
    expiresAt: z.string(),
    closedAt: z.string().optional(),
    open: z.boolean(),
  })
  .openapi('AssistedSession');

export function assistedSessionRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const sessions = application.sessions;

  api.add(router, {
    method: 'post',
    path: '/v1/me/assisted-sessions',
    tag: 'Representation',
    summary: 'At the post office: let this counsellor act for me, for the profile’s hours (2); every act is audited as his for me',
    roles: ['citizen'],
    body: z
      .object({
        counsellorSub: text(200).openapi({ description: "The counsellor's subject (shown at the counter)" }),
        postOffice: text(200).openapi({ example: 'Poste de Porrentruy' }),
      })
      .strict()
      .openapi('AssistedSessionIn'),
    responses: { 201: { description: 'Open', schema: sessionView } },
    async handler({ body, caller }) {
      const s = await sessions.openForCounsellor(caller, body);
      return { status: 201, body: s };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/assisted-sessions',
    tag: 'Representation',
    summary: "A citizen's sessions, or those opened for a counsellor (open first)",
    roles: ['citizen', 'counsellor'],
    responses: { 200: { description: 'The sessions', schema: z.object({ sessions: z.array(sessionView) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { sessions: await sessions.list(caller) } }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/assisted-sessions/:id/close',
    tag: 'Representation',
    summary: "End a session at once: the counsellor's next act is refused (403 no_assisted_session)",
    roles: ['citizen'],
    params: z.object({ id: z.uuid('not a session id') }),
    responses: { 200: { description: 'Closed', schema: sessionView } },
    handler: async ({ params, caller }) => ({ status: 200, body: await sessions.close(caller, params.id) }),
  });

  return router;
}
