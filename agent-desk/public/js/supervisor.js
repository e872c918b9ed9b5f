// The supervisors' pages: the live wallboard, and the work lists — daily review of
// unsatisfied cases (supervision notice, escalation), extension approvals, re-dispatch
// of returned tickets, review of replies.
import { api, el, clear, toast, KIND_LABELS, CHANNEL_LABELS, STATE_LABELS, OUTCOME_LABELS, fmtTime, countdown } from './api.js';
import { bars } from './charts.js';
import { act } from './unit.js';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const secs = (ms) => (ms === null || ms === undefined ? '—' : `${Math.round(ms / 1000)} 秒`);

/** A bar chart of today's counts, or a line saying there is nothing yet. */
const barsOrNone = (rows, none) => (rows.length ? bars(rows, { width: 380 }) : el('p', { class: 'muted' }, none));

function tile(label, value, cls = '') {
  return el('div', { class: `tile ${cls}` }, el('div', { class: 'tile-value' }, value), el('div', { class: 'tile-label' }, label));
}

const wallboard = {
  title: '监控大屏',
  async render(view, desk) {
    let timer = null;
    const draw = async () => {
      const w = await api('GET', '/api/desk/wallboard');
      const breached = w.deadlinesByUnit.reduce((a, u) => a + u.breach, 0);
      const warning = w.deadlinesByUnit.reduce((a, u) => a + u.warning, 0);
      clear(view).append(
        el('h1', {}, '监控大屏 ', el('span', { class: 'muted' }, `更新于 ${fmtTime(w.at)}`)),
        w.calendarWarning ? el('p', { class: 'banner warn', id: 'calendar-warning' }, w.calendarWarning) : '',
        el('div', { class: 'tiles' },
          tile('排队等待', w.telephony ? w.callsWaiting : '电话未接入'),
          tile('最长等待', secs(w.longestWaitMs)),
          tile('今日接通率', pct(w.calls?.answerRate), w.calls?.answerRateMet === false ? 'bad' : ''),
          tile('今日受理', w.intakeTotal),
          tile('即将超期', warning, warning ? 'warn' : ''),
          tile('已超期', breached, breached ? 'bad' : ''),
          tile('紧急待反馈', w.emergenciesAwaitingFeedback.length, w.emergenciesAwaitingFeedback.length ? 'bad' : ''),
          tile('升级督办', w.escalations.length),
        ),
        el('div', { class: 'panels' },
          el('section', { class: 'card' }, el('h2', {}, '坐席状态'), w.telephony ? bars(Object.entries(w.agentsByState).map(([k, v]) => [STATE_LABELS[k] ?? k, v]), { width: 380 }) : el('p', { class: 'muted' }, '电话未接入')),
          el('section', { class: 'card' }, el('h2', {}, '今日受理（渠道）'), barsOrNone(Object.entries(w.intakeByChannel).map(([k, v]) => [CHANNEL_LABELS[k] ?? k, v]), '今日尚无受理')),
          el('section', { class: 'card' }, el('h2', {}, '今日受理（类型）'), barsOrNone(Object.entries(w.intakeByKind).map(([k, v]) => [KIND_LABELS[k] ?? k, v]), '今日尚无受理')),
          el('section', { class: 'card', id: 'deadlines-by-unit' }, el('h2', {}, '各单位期限预警'),
            w.deadlinesByUnit.length ? el('table', {}, el('tr', {}, el('th', {}, '单位'), el('th', {}, '即将超期'), el('th', {}, '已超期')),
              w.deadlinesByUnit.map((u) => el('tr', { class: u.breach ? 'bad' : 'warn' }, el('td', {}, desk.unitName(u.unit)), el('td', {}, u.warning), el('td', {}, u.breach)))) : el('p', { class: 'muted' }, '没有预警')),
          el('section', { class: 'card', id: 'visits-today' }, el('h2', {}, '今日回访结果'),
            Object.keys(w.returnVisitsToday).length ? bars(Object.entries(w.returnVisitsToday).map(([k, v]) => [OUTCOME_LABELS[k] ?? k, v]), { width: 380, color: '#27ae60' }) : el('p', { class: 'muted' }, '今日尚无回访')),
          el('section', { class: 'card' }, el('h2', {}, '紧急工单待反馈'), w.emergenciesAwaitingFeedback.length ? el('ul', {}, w.emergenciesAwaitingFeedback.map((t) => el('li', {}, `${t.number} ${desk.unitName(t.leadUnit)} ${t.feedbackDueAt ? countdown(t.feedbackDueAt, Date.parse(w.at)) : ''}`))) : el('p', { class: 'muted' }, '没有待反馈的紧急工单')),
          el('section', { class: 'card' }, el('h2', {}, '热点预警'), w.hotSpots.length ? el('ul', {}, w.hotSpots.map((h) => el('li', {}, `${desk.meta.eventTypes.find((e) => e.code === h.eventType)?.name ?? h.eventType} · ${desk.unitName(h.town)}：${h.count} 件（平时 ${h.baseline.toFixed(1)}）`))) : el('p', { class: 'muted' }, '没有热点')),
          el('section', { class: 'card', id: 'callbacks' }, el('h2', {}, `待回拨（放弃来电）${w.callbacks.length}`),
            w.callbacks.length ? el('ul', {}, w.callbacks.map((c) => el('li', {}, `${c.caller} · ${fmtTime(c.at)}`))) : el('p', { class: 'muted' }, '没有待回拨')),
          el('section', { class: 'card', id: 'speech-backlog' }, el('h2', {}, '录音转写'), el('p', {}, w.speech.text)),
          el('section', { class: 'card' }, el('h2', {}, '待处理'), el('ul', {},
            el('li', {}, `退回待改派 ${w.pending.returned}`), el('li', {}, `延期待审批 ${w.pending.extensionRequests}`), el('li', {}, `不满意待研判 ${w.pending.unsatisfied}`), el('li', {}, `回复待审核 ${w.pending.awaitingReview}`))),
        ),
      );
    };
    // Pushes say something changed; the board is redrawn at most once a second.
    const onPush = () => { if (!timer) timer = setTimeout(() => { timer = null; draw().catch(() => {}); }, 1000); };
    window.addEventListener('push', onPush);
    const every = setInterval(() => draw().catch(() => {}), 30_000);
    this.leave = () => { window.removeEventListener('push', onPush); clearInterval(every); clearTimeout(timer); };
    await draw();
  },
};

/** The reply's attachments, as download links named by their file names (text). */
function attachmentsOf(t) {
  const box = el('div', { class: 'attachments' });
  api('GET', `/api/tickets/${t.id}/attachments`).then((r) => {
    if (r.items.length) box.append(el('strong', {}, '附件：'), ...r.items.map((a) => el('a', { href: `/api/tickets/${t.id}/attachments/${a.id}`, target: '_blank', rel: 'noopener' }, a.fileName, ' ')));
  }, () => {});
  return box;
}

function row(it, desk, controls) {
  const t = it.ticket;
  return el('article', { class: 'card ticket', dataset: { number: t.number } },
    el('header', {}, el('strong', {}, t.number), ` ${KIND_LABELS[t.kind]} · ${it.statusLabel} · 牵头：${desk.unitName(t.leadUnit)}`),
    el('p', { class: 'content' }, t.content),
    t.extensionPending ? el('p', { class: 'warn' }, `申请延期至 ${fmtTime(t.extensionPending.until)}：${t.extensionPending.reason}`) : null,
    t.status === 'replied' && it.notes.reply ? el('p', { class: 'note' }, el('strong', {}, '单位回复：'), it.notes.reply) : null,
    t.status === 'replied' ? attachmentsOf(t) : null,
    t.status === 'returned' && it.notes.return ? el('p', { class: 'note' }, el('strong', {}, '退回理由：'), it.notes.return) : null,
    t.status === 'under_review' ? el('p', { class: 'note' }, el('strong', {}, '回访：'), `不满意${it.notes.record_return_visit ? `（${it.notes.record_return_visit}）` : ''}`) : null,
    controls);
}

const queues = {
  title: '研判与审批',
  async render(view, desk) {
    const units = desk.meta.units.filter((u) => u.kind === 'department' || u.kind === 'town');
    const draw = async () => {
      const q = await api('GET', '/api/desk/queues');
      const doIt = (t, action, reason, input) => act(t.id, action, reason, input).then(() => { toast('已完成'); draw(); }, (e) => toast(e.message, 'bad'));
      const reasonBox = () => el('input', { placeholder: '理由', class: 'reason' });
      clear(view).append(el('h1', {}, '研判与审批'));
      view.append(el('h2', {}, `不满意工单研判（${q.unsatisfied.length}）`));
      for (const it of q.unsatisfied) {
        const r = reasonBox();
        const due = el('input', { type: 'datetime-local' });
        view.append(row(it, desk, el('div', { class: 'row' }, r, '新期限', due,
          el('button', { type: 'button', class: 'do-supervise', onclick: () => doIt(it.ticket, 'supervise', r.value, { dueAt: due.value ? new Date(due.value).toISOString() : '' }) }, '下发督办通知单'),
          el('button', { type: 'button', onclick: () => doIt(it.ticket, 'escalate', r.value, { dueAt: due.value ? new Date(due.value).toISOString() : '' }) }, '升级'),
          el('button', { type: 'button', onclick: () => doIt(it.ticket, 'close', r.value) }, '研判办结'))));
      }
      view.append(el('h2', {}, `延期申请（${q.extensionRequests.length}）`));
      for (const it of q.extensionRequests) {
        const r = reasonBox();
        view.append(row(it, desk, el('div', { class: 'row' }, r,
          el('button', { type: 'button', class: 'do-approve_extension', onclick: () => doIt(it.ticket, 'approve_extension', r.value) }, '批准延期'),
          el('button', { type: 'button', onclick: () => doIt(it.ticket, 'refuse_extension', r.value) }, '不予延期'))));
      }
      view.append(el('h2', {}, `退回待改派（${q.returned.length}）`));
      for (const it of q.returned) {
        const r = reasonBox();
        const lead = el('select', {}, units.map((u) => el('option', { value: u.code }, u.name)));
        view.append(row(it, desk, el('div', { class: 'row' }, lead, r,
          el('button', { type: 'button', class: 'do-redispatch', onclick: () => doIt(it.ticket, 'redispatch', r.value, { leadUnit: lead.value, coUnits: [] }) }, '改派'),
          el('button', { type: 'button', onclick: () => doIt(it.ticket, 'overrule_return', r.value) }, '退回不成立'))));
      }
      view.append(el('h2', {}, `回复待审核（${q.awaitingReview.length}）`));
      for (const it of q.awaitingReview) {
        const r = reasonBox();
        view.append(row(it, desk, el('div', { class: 'row' }, r,
          el('button', { type: 'button', class: 'do-review_approve', onclick: () => doIt(it.ticket, 'review_approve', r.value || undefined) }, '审核通过'),
          el('button', { type: 'button', onclick: () => doIt(it.ticket, 'send_back', r.value) }, '退回重办'))));
      }
    };
    const onPush = (ev) => { if (ev.detail.type === 'ticket') draw().catch(() => {}); };
    window.addEventListener('push', onPush);
    this.leave = () => window.removeEventListener('push', onPush);
    await draw();
  },
};

export const supervisorPages = { wallboard, queues };
