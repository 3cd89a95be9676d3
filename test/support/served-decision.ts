// A decision served by registered post and deemed delivered (the rows the decision-service
// workflow leaves), for the case timeline's tests.
import { randomUUID } from 'node:crypto';
import { appealPeriod, deemedDeliveryDate, getProfile } from '../../domain';
import type { Db } from '../../infra/db';
import { insertDecision, insertUnit, insertUser } from './decisions';

export async function decisionDeemedDelivered(db: Db, noticeLeftOn: string) {
  const unitId = await insertUnit(db);
  const { sub } = await insertUser(db);
  const id = await insertDecision(db, { unitId, recipientSub: sub });
  const JU = getProfile('JU');
  const deemed = deemedDeliveryDate(noticeLeftOn, JU);
  const remedy = appealPeriod(deemed, 30, JU);
  await db.decision.update({
    where: { id },
    data: { channel: 'post', state: 'served', serviceRule: 'deemed delivery', triggerDay: deemed, remedyStart: remedy.start, remedyLastDay: remedy.lastDay },
  });
  await db.postalEvent.create({ data: { id: randomUUID(), decisionId: id, type: 'notice-left', occurredOn: noticeLeftOn } });
  return { id, unitId, deemed, remedy };
}
