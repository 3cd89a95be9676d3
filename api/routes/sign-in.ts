// Signing in with the counter's own access rights (NE 4.1, 4.2), for the identity provider only:
// it shows the pages, the engine checks the elements and tells the account's access-rights
// process of each outcome. Each route: parse → use case (app/sign-in.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import type { Api } from '../http';

const lang = z.enum(['fr', 'de']).optional();
const state = z.enum(['active', 'locked', 'blocked', 'deactivated', 'no-access-rights']);
const step = z
  .object({
    outcome: z.enum(['refused', 'wrong', 'second-factor', 'signed-in']).openapi({
      description:
        'refused: the account may not sign in now (locked until lockedUntil, blocked, deactivated); wrong: an element was wrong, counted (NE 7.1); second-factor: a code went by SMS; signed-in: both factors right',
    }),
    state: state.optional(),
    element: z.enum(['user-code', 'password', 'second-factor']).optional(),
    lockedUntil: z.string().optional(),
    failuresInARow: z.number().int().optional(),
    challengeId: z.string().optional(),
    expiresAt: z.string().optional(),
    sub: z.string().optional().openapi({ description: "signed-in: the person's subject, the tokens' `sub`" }),
    mustChange: z.boolean().optional().openapi({ description: 'signed-in: the password is the initial one and must be changed first (NE 4.2)' }),
  })
  .openapi('SignInStep');

export function signInRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const signIn = application.signIn;

  api.add(router, {
    method: 'post',
    path: '/v1/sign-in/password',
    tag: 'Sign-in',
    summary: 'User code and personal password (NE 4.1); right, a sign-in code goes by SMS to the mobile phone on record',
    roles: ['identity-provider'],
    rateLimit: 'login',
    body: z.object({ userCode: z.string().min(1).max(40), password: z.string().min(1).max(200), lang }).strict(),
    responses: { 200: { description: 'The next step', schema: step } },
    handler: async ({ body, caller }) => ({ status: 200, body: await signIn.password(caller, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/sign-in/second-factor',
    tag: 'Sign-in',
    summary: 'The code received by SMS (NE 4.1): valid once, for minutes',
    roles: ['identity-provider'],
    rateLimit: 'login',
    body: z.object({ challengeId: z.uuid(), code: z.string().min(1).max(12) }).strict(),
    responses: { 200: { description: 'The next step', schema: step }, 410: { description: 'Used, expired or void: start again' } },
    handler: async ({ body, caller }) => ({ status: 200, body: await signIn.secondFactor(caller, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/sign-in/password-change',
    tag: 'Sign-in',
    summary: 'The new personal password after both factors passed (NE 4.2: at least 10 characters with digits, lower and upper case)',
    roles: ['identity-provider'],
    rateLimit: 'login',
    body: z.object({ challengeId: z.uuid(), newPassword: z.string().min(1).max(200), lang }).strict(),
    responses: { 200: { description: 'Changed', schema: z.object({ changed: z.literal(true) }) }, 410: { description: 'Sign in again' } },
    handler: async ({ body, caller }) => ({ status: 200, body: await signIn.changePassword(caller, body) }),
  });

  return router;
}
