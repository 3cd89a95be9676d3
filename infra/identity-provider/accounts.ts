// The embedded identity provider's demo accounts (npm start and the tests only; production
// signs people in at the canton's identity provider). One password for all: demo only.
import type { Role } from '../../domain/roles';

export const DEMO_PASSWORD = 'demo';

export interface DemoAccount {
  login: string;
  sub: string;
  role: Role;
  unit?: string;
  domains?: string[];
  /** How the provider's pages greet the person (a demo name, no real person). */
  displayName: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { login: 'anne.chancellerie', sub: 'staff-anne', role: 'chancellery', displayName: 'Anne (Chancellerie)' },
  { login: 'marc.chancellerie', sub: 'staff-marc', role: 'chancellery', displayName: 'Marc (Chancellerie)' },
  { login: 'agent.spop', sub: 'agent-spop', role: 'unit', unit: 'SPOP', domains: ['population'], displayName: 'Agent SPOP' },
  { login: 'adele.exemple', sub: 'demo-adele', role: 'citizen', displayName: 'Adèle (démo)' },
  { login: 'conseil.poste', sub: 'counsellor-1', role: 'counsellor', displayName: 'Conseil postal (démo)' },
  // The Temporal Web UI of `npm run start:cluster` signs in operators only.
  { login: 'ops.guichet', sub: 'ops-1', role: 'operator', displayName: 'Exploitation (démo)' },
];

export const accountBySub = (sub: string) => DEMO_ACCOUNTS.find((a) => a.sub === sub);
export const accountByLogin = (login: string) => DEMO_ACCOUNTS.find((a) => a.login === login.trim().toLowerCase());
