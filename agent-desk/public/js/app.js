// The desk's shell: login, the pages of each role, the push connection.
import { api, el, clear, setCsrf, toast, STATE_LABELS, ApiError } from './api.js';
import { operatorPages } from './operator.js';
import { unitPages } from './unit.js';
import { supervisorPages } from './supervisor.js';
import { bulletinPage } from './bulletin.js';
import { passwordPage, usersPage } from './accounts.js';
import { knowledgePage } from './knowledge.js';

const $ = (id) => document.getElementById(id);
export const desk = { user: null, meta: null, unitName: (c) => desk.meta?.units.find((u) => u.code === c)?.name ?? c ?? '—' };

function pagesFor(role) {
  const own = role === 'operator' ? operatorPages : role === 'unit_handler' ? unitPages : { ...supervisorPages, bulletin: bulletinPage };
  const editors = role === 'supervisor' || role === 'admin' ? { knowledge: knowledgePage } : {};
  return { ...own, ...editors, ...(role === 'admin' ? { users: usersPage } : {}), password: passwordPage };
}

let pages = {};
let current = null;

function route() {
  const name = (location.hash.replace(/^#\/?/, '') || Object.keys(pages)[0]).split('?')[0];
  const page = pages[name] ?? pages[Object.keys(pages)[0]];
  current?.leave?.();
  current = page;
  for (const a of $('nav').querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === name);
  const view = clear($('view'));
  page.render(view, desk).catch((e) => view.append(el('p', { class: 'error' }, `页面加载失败：${e.message}`)));
}

let reconnecting = false;
function connectPush() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const status = $('push-status');
  ws.onopen = () => {
    status.textContent = '实时推送已连接'; status.className = 'pill ok';
    // After a reconnect the page reloads its data: pushes sent while it was away are lost.
    if (reconnecting) route();
    reconnecting = false;
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    window.dispatchEvent(new CustomEvent('push', { detail: msg }));
    // The administrator moved this user (role, unit, extension): the desk opens again as they are now.
    if (msg.type === 'user') { location.reload(); return; }
    if (msg.type === 'alert') toast(`紧急关键词「${msg.alert.keyword}」出现在通话中`, 'bad');
    if (msg.type === 'call' && msg.call.type === 'agent_state_changed') showState(msg.call.state);
  };
  ws.onclose = () => {
    status.textContent = '推送断开，正在重连…'; status.className = 'pill bad';
    reconnecting = true;
    if (desk.user) setTimeout(connectPush, 3000);
  };
}

export function showState(s) {
  const n = $('agent-state');
  if (!s) { n.textContent = ''; return; }
  n.textContent = `坐席：${STATE_LABELS[s.state] ?? s.state}${s.reason ? `（${s.reason}）` : ''}`;
  n.className = `pill state-${s.state}`;
}

async function start(user, csrfToken, demoNotice) {
  desk.user = user;
  setCsrf(csrfToken);
  // A demo runs on demo passwords and keys: every page says so in its header.
  $('demo-banner').textContent = demoNotice ?? '';
  $('demo-banner').hidden = !demoNotice;
  // On an initial or reset password the server allows nothing but changing it: the password page alone.
  desk.meta = user.initialPassword ? null : await api('GET', '/api/desk/meta');
  $('login-view').hidden = true;
  $('top').hidden = false;
  $('view').hidden = false;
  $('who').textContent = desk.meta ? `${user.displayName}（${desk.unitName(user.unit)}）` : user.displayName;
  $('password-hint').hidden = !user.initialPassword;
  pages = user.initialPassword ? { password: passwordPage } : pagesFor(user.role);
  if (user.initialPassword) {
    $('push-status').hidden = true;
    location.hash = '#/password';
    route();
    return;
  }
  const nav = clear($('nav'));
  for (const [name, p] of Object.entries(pages)) if (p.inNav !== false) nav.append(el('a', { href: `#/${name}`, dataset: { page: name } }, p.title));
  window.addEventListener('hashchange', route);
  connectPush();
  route();
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  $('login-error').textContent = '';
  try {
    const r = await api('POST', '/api/session', { username: String(f.get('username')), password: String(f.get('password')) });
    await start(r.user, r.csrfToken, r.demoNotice);
  } catch (e) {
    $('login-error').textContent = e.message;
  }
});

$('logout').addEventListener('click', async () => {
  await api('DELETE', '/api/session').catch(() => {});
  desk.user = null;
  location.hash = '';
  location.reload();
});

(async () => {
  try {
    const me = await api('GET', '/api/me');
    await start(me.user, me.csrfToken, me.demoNotice);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) $('login-error').textContent = e.message;
  }
})();
