// The department workbench: the unit's inbox with deadline countdowns coloured by
// warning/breach; acknowledge, return with a reason, request an extension, reply.
import { api, upload, el, clear, toast, KIND_LABELS, fmtTime, countdown } from './api.js';

const CLOCK_LABELS = { ack: '签收期限', feedback: '紧急反馈期限', close: '办结期限' };

export async function act(ticketId, action, reason, input) {
  return api('POST', `/api/tickets/${ticketId}/transitions`, { action, ...(reason ? { reason } : {}), ...(input ? { input } : {}) });
}

function actionForm(t, desk, action, after) {
  const meta = desk.meta.actions.find((a) => a.action === action);
  const reason = el('textarea', { rows: 2, placeholder: action === 'reply' ? '办理结果（必填）' : '原因' + (meta?.requiresReason || action === 'request_extension' ? '（必填）' : '') });
  const until = action === 'request_extension' ? el('input', { type: 'datetime-local', class: 'until' }) : null;
  const files = action === 'reply' ? el('input', { type: 'file', class: 'files', multiple: true, accept: 'image/jpeg,image/png,image/webp,application/pdf' }) : null;
  return el('div', { class: 'action-form' }, reason, until, files,
    el('button', { type: 'button', class: `do-${action}`, onclick: async () => {
      try {
        // Attachments (photos of the work done, documents) go up first, then the reply that refers to them.
        for (const f of files?.files ?? []) await upload(`/api/tickets/${t.id}/attachments?name=${encodeURIComponent(f.name)}&stage=reply`, f);
        const input = until ? { until: until.value ? new Date(until.value).toISOString() : '' } : undefined;
        await act(t.id, action, reason.value.trim() || undefined, input);
        toast(`${meta?.label ?? action}：已完成`);
        after();
      } catch (e) { toast(e.message, 'bad'); }
    } }, meta?.label ?? action));
}

const inbox = {
  title: '待办工单',
  async render(view, desk) {
    let data = null;
    let skew = 0; // server clock minus this browser's: countdowns follow the server's deadlines
    const draw = () => {
      clear(view).append(el('h1', {}, `${desk.unitName(desk.user.unit)} · 待办工单`), el('p', { class: 'muted' }, '按首接负责制，牵头单位办理；不属于本单位职责的，填写理由退回中心。群众电话已按规定隐去。'));
      if (!data.items.length) { view.append(el('p', { class: 'muted' }, '没有待办工单')); return; }
      const now = Date.now() + skew;
      for (const it of data.items) {
        const t = it.ticket;
        const d = it.deadline;
        const card = el('article', { class: `ticket card level-${d?.level ?? 'none'}`, dataset: { number: t.number } },
          el('header', {}, el('strong', {}, t.number), ` ${KIND_LABELS[t.kind] ?? t.kind} · ${it.statusLabel}`, it.lead ? '' : ' · 协办',
            d ? el('span', { class: `countdown ${d.level}`, dataset: { due: d.dueAt, label: `${CLOCK_LABELS[d.clock]} ${fmtTime(d.dueAt)}` } }, `${CLOCK_LABELS[d.clock]} ${fmtTime(d.dueAt)} · ${countdown(d.dueAt, now)}`) : null),
          t.title ? el('p', {}, el('strong', {}, t.title)) : null,
          el('p', { class: 'content' }, t.content),
          el('p', { class: 'muted' }, `地址：${t.address ?? '—'} · 群众：${t.kind === 'report' ? '（举报人信息保密）' : `${t.citizenName ?? '（未留姓名）'} ${t.citizenPhone ?? ''}`}`),
          t.extensionPending ? el('p', { class: 'warn' }, `延期申请待审批：至 ${fmtTime(t.extensionPending.until)}`) : null,
        );
        const actions = it.allowedActions.filter((a) => ['acknowledge', 'give_feedback', 'return', 'request_extension', 'reply'].includes(a) && (a !== 'give_feedback' || t.urgency === 'emergency'));
        if (actions.length) {
          const area = el('div', { class: 'actions' });
          card.append(el('div', { class: 'row' }, actions.map((a) => el('button', { type: 'button', class: `open-${a}`, onclick: () => {
            if (a === 'acknowledge') return act(t.id, a).then(() => { toast('已签收'); load(); }, (e) => toast(e.message, 'bad'));
            clear(area).append(actionForm(t, desk, a, load));
          } }, desk.meta.actions.find((x) => x.action === a)?.label ?? a))), area);
        }
        view.append(card);
      }
    };
    const load = async () => { data = await api('GET', '/api/desk/inbox'); skew = Date.parse(data.at) - Date.now(); draw(); };
    const onPush = (ev) => { if (ev.detail.type === 'ticket') { toast(`工单 ${ev.detail.ticket.number} 有更新`); load(); } };
    window.addEventListener('push', onPush);
    // Countdowns tick in place (an open reply form is not redrawn); levels come with each reload.
    const tick = setInterval(() => { for (const c of view.querySelectorAll('.countdown')) c.textContent = `${c.dataset.label} · ${countdown(c.dataset.due, Date.now() + skew)}`; }, 30_000);
    this.leave = () => { window.removeEventListener('push', onPush); clearInterval(tick); };
    await load();
  },
};

export const unitPages = { inbox };
