// The desk's state shared by every page: who is signed in, the catalogue (units, event
// types, labels), the push connection and its messages.
import { reactive, onUnmounted } from 'vue';
import { api, setCsrf } from './api';
import { sawServerTime } from './clock';

export interface User { id: number; username: string; displayName: string; role: string; unit: string | null; extension: string | null; initialPassword?: boolean; active?: boolean }
export interface Unit { code: string; name: string; kind: string; phone: string | null }
export interface EventType { code: string; name: string; group: string }
export interface Meta {
  user: User;
  telephony: { connected?: boolean } | null;
  units: Unit[];
  statusLabels: Record<string, string>;
  actions: { action: string; label: string; requiresReason: boolean }[];
  eventTypes: EventType[];
  wrapUpSeconds: number;
  supervisors: { displayName: string; extension: string }[];
  demo?: boolean;
}
export interface PushMessage { type: string; [k: string]: any }

export const desk = reactive({
  user: null as User | null,
  meta: null as Meta | null,
  push: 'off' as 'off' | 'on' | 'lost',
  agentState: null as { state: string; reason?: string } | null,
  /** What the server says while it runs on demo passwords and keys (every page's header), or ''. */
  demo: '',
});

export const unitName = (code: string | null | undefined): string => (code ? desk.meta?.units.find((u) => u.code === code)?.name ?? code : '—');
export const eventTypeName = (code: string | null | undefined): string => (code ? desk.meta?.eventTypes.find((e) => e.code === code)?.name ?? code : '—');
export const statusLabel = (s: string): string => desk.meta?.statusLabels[s] ?? s;
export const actionLabel = (a: string): string => desk.meta?.actions.find((x) => x.action === a)?.label ?? a;
export const isCenter = (): boolean => ['operator', 'supervisor', 'leader', 'admin'].includes(desk.user?.role ?? '');
/** Units a ticket can be dispatched to (departments and towns). */
export const handlingUnits = (): Unit[] => (desk.meta?.units ?? []).filter((u) => u.kind === 'department' || u.kind === 'town');

/** What /api/me, the login and /api/desk/meta say beside the user. */
export interface SessionInfo { demo?: boolean; demoNotice?: string | null }

const DEFAULT_DEMO_NOTICE = '演示模式：本系统使用演示密码和演示接口密钥，请勿录入真实群众信息；上线前请切换到生产模式。';

export async function signedIn(user: User, csrfToken: string | null, info: SessionInfo = {}): Promise<void> {
  setCsrf(csrfToken);
  desk.demo = info.demoNotice || (info.demo ? DEFAULT_DEMO_NOTICE : '');
  // On an initial or reset password the server allows nothing but changing it: no catalogue, no pushes.
  if (user.initialPassword) {
    desk.meta = null;
    desk.user = user;
    return;
  }
  await loadMeta();
  desk.user = { ...user, ...desk.meta!.user, initialPassword: false };
}

export async function loadMeta(): Promise<void> {
  const meta = await api<Meta & { now?: string; demoNotice?: string | null }>('GET', '/api/desk/meta');
  sawServerTime(meta.now);
  if (meta.demoNotice || meta.demo) desk.demo = meta.demoNotice || DEFAULT_DEMO_NOTICE;
  desk.meta = meta;
}

// — pushes —
type Listener = (m: PushMessage) => void;
const listeners = new Set<Listener>();
export function emitPush(m: PushMessage): void {
  for (const l of [...listeners]) l(m);
}
/** Listen to pushes while the calling component is mounted. */
export function onPush(fn: Listener): void {
  listeners.add(fn);
  onUnmounted(() => listeners.delete(fn));
}
const reconnectListeners = new Set<() => void>();
export function onReconnect(fn: () => void): void {
  reconnectListeners.add(fn);
  onUnmounted(() => reconnectListeners.delete(fn));
}

// My own recent actions, so that their pushes do not announce them a second time (a unit's
// pushes carry no actor id: the action, the ticket and the unit tell them apart).
const mine: { ticketId: number; action: string; at: number }[] = [];
const OWN_WINDOW_MS = 15_000;

/** The events my action on a ticket writes (the route's name is not always the event's). */
const EVENTS_OF: Record<string, string[]> = { return_visit: ['record_return_visit'], merge: ['merge'], unmerge: ['unmerge'], sign_notice: ['sign_notice', 'comment'] };

/** I am about to act on a ticket: its push is not to be announced a second time. */
export function noteOwnAction(ticketId: number, action: string): void {
  for (const a of EVENTS_OF[action] ?? [action]) mine.push({ ticketId, action: a, at: Date.now() });
  while (mine.length > 50) mine.shift();
}

/** A transition of a ticket by me; remembered so its push is not a second notice. */
export async function transition<T = any>(ticketId: number, action: string, reason?: string | null, input?: Record<string, unknown>): Promise<T> {
  noteOwnAction(ticketId, action);
  return api<T>('POST', `/api/tickets/${ticketId}/transitions`, { action, ...(reason ? { reason } : {}), ...(input ? { input } : {}) });
}

/** A push about a ticket that only reports what I did myself (no notice for my own action). */
export function ownAction(m: PushMessage): boolean {
  const evs = (m.events ?? []) as { action: string; actorId: number | null; actorRole: string; actorUnit: string | null }[];
  const recent = mine.filter((x) => x.ticketId === m.ticket?.id && Date.now() - x.at < OWN_WINDOW_MS);
  return evs.length > 0 && evs.every((e) => e.actorId === desk.user?.id
    || (e.actorId === null && e.actorRole === desk.user?.role && e.actorUnit === desk.user?.unit && recent.some((x) => x.action === e.action)));
}

let ws: WebSocket | null = null;
export function connectPush(): void {
  if (!desk.user || desk.user.initialPassword || ws) return;
  let reconnecting = desk.push === 'lost';
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    desk.push = 'on';
    // After a reconnect the pages reload their data: pushes sent while away are lost.
    if (reconnecting) for (const f of [...reconnectListeners]) f();
    reconnecting = false;
  };
  ws.onmessage = (ev) => {
    const m = JSON.parse(String(ev.data)) as PushMessage;
    // The administrator changed this user (role, unit, extension): the desk opens again as they are now.
    if (m.type === 'user') { location.reload(); return; }
    if (m.type === 'call' && m.call?.type === 'agent_state_changed') desk.agentState = m.call.state;
    emitPush(m);
  };
  ws.onclose = () => {
    desk.push = 'lost';
    ws = null;
    if (!desk.user) return;
    // Still signed in? (A refused socket says nothing about why.) Then try again.
    setTimeout(() => {
      api('GET', '/api/me').then(() => connectPush(), (e) => { if ((e as { status?: number }).status === 401) signOutLocally('登录已过期或已在别处退出，请重新登录'); else connectPush(); });
    }, 3000);
  };
}
/** The session ended: back to the login form, saying why. */
export const signedOut = reactive({ message: '' });
export function signOutLocally(message: string): void {
  disconnectPush();
  desk.user = null;
  signedOut.message = message;
}

export function disconnectPush(): void {
  const w = ws;
  ws = null;
  if (w) { w.onclose = null; w.close(); }
  desk.push = 'off';
}
