// The units' webhooks: what the engine signs, a unit's system verifies (fakes/unit-systems checks
// it as a unit must): the same body within 5 minutes, with the unit's own secret.
import { signWebhook } from '../../activities/unit-events';
import { validSignature } from '../../fakes/unit-systems/server';

const SECRET = 'a-unit-secret-of-its-own-0123456789';
const body = JSON.stringify({ id: 'r-1:access-request.filed', type: 'access-request.filed', accessRequest: { id: 'r-1', state: 'awaiting-unit' } });

it('a signed event verifies with the unit’s secret, and nothing else does', () => {
  const t = Math.floor(Date.now() / 1000);
  const header = signWebhook(SECRET, t, body);
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(validSignature(SECRET, header, body)).toBe(true);
  expect(validSignature('another-unit-secret-0123456789', header, body)).toBe(false);
  expect(validSignature(SECRET, header, body.replace('awaiting-unit', 'granted'))).toBe(false);
  expect(validSignature(SECRET, undefined, body)).toBe(false);
  // Older than five minutes: a replay.
  expect(validSignature(SECRET, signWebhook(SECRET, t - 301, body), body)).toBe(false);
});
