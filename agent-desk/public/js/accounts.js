// Accounts: every user changes their own password; the administrator's user list
// (create, edit, disable, reset a forgotten password).
import { api, el, clear, toast } from './api.js';

export const ROLE_LABELS = { operator: '接线员', supervisor: '值班长', unit_handler: '承办单位', leader: '市领导', admin: '系统管理员' };
const UNIT_KINDS = { operator: ['center'], supervisor: ['center'], admin: ['center'], leader: ['leader'], unit_handler: ['department', 'town'] };

export const passwordPage = {
  title: '修改密码',
  inNav: false,
  async render(view, desk) {
    const current = el('input', { type: 'password', name: 'currentPassword', autocomplete: 'current-password', required: true });
    const next = el('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password', required: true });
    const again = el('input', { type: 'password', name: 'again', autocomplete: 'new-password', required: true });
    const error = el('p', { class: 'error', role: 'alert' });
    const banner = el('p', { class: 'banner warn', hidden: !desk.user.initialPassword }, '您正在使用初始密码（或管理员重置的密码），请改为只有您自己知道的密码。');
    const form = el('form', { class: 'card narrow', id: 'password-form', onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      if (next.value !== again.value) { error.textContent = '两次输入的新密码不一致'; return; }
      try {
        await api('PUT', '/api/me/password', { currentPassword: current.value, newPassword: next.value });
        // Off the initial password: the whole desk opens (the server allowed nothing else before).
        if (desk.user.initialPassword) { location.hash = ''; location.reload(); return; }
        desk.user.initialPassword = false;
        document.getElementById('password-hint').hidden = true;
        banner.hidden = true;
        form.reset();
        toast('密码已修改；在其他地方登录的会话已退出');
      } catch (e) { error.textContent = e.message; }
    } },
      el('label', {}, '当前密码', current),
      el('label', {}, '新密码', next),
      el('label', {}, '再输一次新密码', again),
      el('p', { class: 'muted' }, '至少 8 个字符，含小写字母、大写字母、数字、符号中的至少三种，不能包含用户名。'),
      error,
      el('button', { type: 'submit' }, '修改密码'));
    clear(view).append(el('h1', {}, '修改密码'), banner, form);
  },
};

function oneTimeBox(user, password) {
  return el('div', { class: 'banner warn one-time', role: 'alert' },
    `${user.displayName}（${user.username}）的一次性密码：`, el('code', { class: 'password' }, password),
    '　只显示这一次，请当面或电话交给本人；本人登录后请改为自己的密码。');
}

export const usersPage = {
  title: '用户管理',
  async render(view, desk) {
    const units = desk.meta.units;
    const unitOptions = (role, selected) => units.filter((u) => (UNIT_KINDS[role] ?? []).includes(u.kind))
      .map((u) => el('option', { value: u.code, selected: u.code === selected }, u.name));
    let users = [];
    let notice = null;
    // Typing in the filter redraws the rows only: the field keeps its focus.
    const filter = el('input', { type: 'search', placeholder: '按用户名、姓名、单位筛选', oninput: () => drawRows() });
    const tbody = el('tbody');

    const form = (user, done) => {
      const role = el('select', { name: 'role' }, Object.entries(ROLE_LABELS).map(([v, l]) => el('option', { value: v, selected: v === (user?.role ?? 'operator') }, l)));
      const unit = el('select', { name: 'unit' }, unitOptions(role.value, user?.unit));
      role.addEventListener('change', () => clear(unit).append(...unitOptions(role.value)));
      const username = user ? null : el('input', { name: 'username', required: true, placeholder: '如 op33' });
      const name = el('input', { name: 'displayName', required: true, value: user?.displayName ?? '' });
      const ext = el('input', { name: 'extension', placeholder: '坐席分机（可空）', value: user?.extension ?? '' });
      const error = el('p', { class: 'error', role: 'alert' });
      return el('form', { class: 'user-form', onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        const body = { displayName: name.value.trim(), role: role.value, unit: unit.value, extension: ext.value.trim() || null };
        try {
          if (user) {
            await api('PATCH', `/api/admin/users/${user.id}`, body);
            toast(`已修改 ${user.username}`);
          } else {
            const r = await api('POST', '/api/admin/users', { username: username.value.trim(), ...body });
            notice = oneTimeBox(r.user, r.password);
          }
          await done();
        } catch (e) { error.textContent = e.message; }
      } },
        user ? el('h2', {}, `修改 ${user.username}`) : null,
        el('div', { class: 'grid2' },
          username ? el('label', {}, '用户名', username) : null,
          el('label', {}, '姓名', name), el('label', {}, '角色', role), el('label', {}, '单位', unit), el('label', {}, '分机号', ext)),
        el('p', { class: 'muted' }, '接线员、值班长的分机号保存后即加入话务队列。'),
        error,
        el('div', { class: 'row' }, el('button', { type: 'submit' }, user ? '保存' : '新建'),
          user ? el('button', { type: 'button', class: 'link', onclick: () => done() }, '取消') : null));
    };

    const editArea = el('div');
    const drawRows = () => {
      const q = filter.value.trim();
      const shown = users.filter((u) => !q || [u.username, u.displayName, desk.unitName(u.unit)].some((s) => s.includes(q)));
      clear(tbody).append(...shown.map((u) => el('tr', { class: u.active ? '' : 'muted', dataset: { username: u.username } },
        el('td', {}, u.username), el('td', {}, u.displayName), el('td', {}, ROLE_LABELS[u.role] ?? u.role), el('td', {}, desk.unitName(u.unit)),
        el('td', {}, u.extension ?? '—'), el('td', {}, u.active ? (u.initialPassword ? '启用（初始密码）' : '启用') : '停用'),
        el('td', { class: 'row' },
          el('button', { type: 'button', class: 'link edit', onclick: () => { clear(editArea).append(el('section', { class: 'card' }, form(u, load))); window.scrollTo(0, 0); } }, '修改'),
          el('button', { type: 'button', class: 'link reset', onclick: async () => {
            if (!confirm(`重置 ${u.displayName}（${u.username}）的密码？其登录会话将全部退出。`)) return;
            try {
              const r = await api('POST', `/api/admin/users/${u.id}/password-reset`);
              notice = oneTimeBox(r.user, r.password);
              await load();
            } catch (e) { toast(e.message, 'bad'); }
          } }, '重置密码'),
          u.id === desk.user.id ? null : el('button', { type: 'button', class: 'link toggle', onclick: async () => {
            try {
              await api('PATCH', `/api/admin/users/${u.id}`, { active: !u.active });
              toast(`${u.username} 已${u.active ? '停用' : '启用'}`);
              await load();
            } catch (e) { toast(e.message, 'bad'); }
          } }, u.active ? '停用' : '启用')))));
    };
    const draw = () => {
      drawRows();
      clear(view).append(el('h1', {}, '用户管理'), ...(notice ? [notice] : []), editArea, el('details', { class: 'card', open: !users.length },
        el('summary', {}, '新建用户'), form(null, load)),
        el('div', { class: 'row' }, filter, el('span', { class: 'muted' }, `共 ${users.length} 个账号`)),
        el('section', { class: 'card' }, el('table', { class: 'users' },
          el('thead', {}, el('tr', {}, ['用户名', '姓名', '角色', '单位', '分机', '状态', ''].map((h) => el('th', {}, h)))),
          tbody)));
    };
    const load = async () => {
      users = (await api('GET', '/api/admin/users')).users;
      clear(editArea);
      draw();
    };
    await load();
  },
};
