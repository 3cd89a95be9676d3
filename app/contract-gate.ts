import { accessDenial, type ContractStatus } from '../domain/contract';
import { profiles, type CantonCode, type ContractAction } from '../domain/profiles';
import type { Db } from '../infra/db';
import { AppError } from './errors';

/** The contract's state allows `action` for this citizen, else 403 with the reason (Art. 5.2, 7.2, 10). */
export function contractGate(db: Db, canton: CantonCode) {
  const profile = profiles[canton];
  return async (citizenSub: string, action: ContractAction): Promise<void> => {
    const c = await db.contract.findFirst({
      // A person's contract, or an entity's (its people act in its name, Art. 12)
      where: { OR: [{ user: { sub: citizenSub } }, { entity: { sub: citizenSub } }] },
      orderBy: { createdAt: 'desc' },
      select: { status: true, statusReason: true },
    });
    if (!c) return;
    const denial = accessDenial({ status: c.status as ContractStatus, reason: c.statusReason }, action, profile);
    if (denial) throw new AppError(403, 'contract_restricted', denial, [{ path: 'contract', issue: c.status }]);
  };
}

export type ContractGate = ReturnType<typeof contractGate>;
