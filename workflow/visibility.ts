// Who may see which ticket, and what of it: units see only tickets they lead or
// co-handle, with the citizen's phone masked and a reporter's identity removed.
import { Role, Ticket } from './types';
import { Actor } from './lifecycle';

export function canSee(t: Ticket, actor: Actor): boolean {
  if (actor.role !== 'unit_handler') return true;
  return !!actor.unit && (t.leadUnit === actor.unit || t.coUnits.includes(actor.unit));
}

/** Who may look citizens up by their personal data (name, phone, address): the center's staff who take the calls. */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['operator', 'supervisor'];

export function mayUsePersonalData(actor: Actor): boolean {
  return PERSONAL_DATA_ROLES.includes(actor.role);
}

export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** The ticket as this actor may see it. */
export function viewFor(t: Ticket, actor: Actor): Ticket {
  if (actor.role !== 'unit_handler') return t;
  if (t.kind === 'report') return { ...t, citizenName: null, citizenPhone: null };
  return { ...t, citizenPhone: t.citizenPhone ? maskPhone(t.citizenPhone) : null };
}
