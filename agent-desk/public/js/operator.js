// The operator's pages: the call and intake page (screen pop, call controls, the ticket
// form with the live routing suggestion, same-issue warning, knowledge base, shortcuts),
// my tickets, and the manual return-visit list.
import { api, el, clear, toast, KIND_LABELS, CHANNEL_LABELS, URGENCY_LABELS, OUTCOME_LABELS, fmtTime } from './api.js';
import { showState } from './app.js';

const SHORTCUTS = [
  ['Alt+1/2/3', '选用第 1/2/3 个建议事项类型'],
  ['Alt+A', '采用路由建议（牵头、协办、紧急程度）'],
  ['Ctrl+Enter', '受理并派单'],
  ['Alt+J', '直接办结（咨询，按知识库答复）'],
  ['Alt+K', '搜索知识库'],
  ['Alt+N', '清空表单，新建工单'],
  ['Alt+R / Alt+B', '示闲 / 小休'],
];

function select(name, options, value, attrs = {}) {
  return el('select', { name, id: `f-${name}`, ...attrs }, options.map(([v, t]) => el('option', { value: v, selected: v === value }, t)));
}

const intake = {
  title: '来电受理',
  async render(view, desk) {
    const units = desk.meta.units.filter((u) => u.kind === 'department' || u.kind === 'town');
    const towns = desk.meta.units.filter((u) => u.kind === 'town');
    const unitOptions = [['', '（请选择）'], ...units.map((u) => [u.code, u.name])];
    let call = null; // the call on this desk
    let suggestion = null;

    // — call panel —
    const callBox = el('div', { id: 'call-panel', class: 'card' });
    const stateBox = el('div', { class: 'card' });
    const drawCall = async () => {
      clear(callBox).append(el('h2', {}, '当前来电'));
      if (!desk.meta.telephony) callBox.append(el('p', { class: 'muted', id: 'no-telephony' }, '电话未接入（本服务器没有配置交换机），可直接录入工单。'));
      if (!call) { callBox.append(el('p', { class: 'muted' }, '没有来电')); return; }
      callBox.append(
        el('p', { class: 'caller' }, '来电号码：', el('strong', { id: 'caller-number' }, call.caller)),
        el('p', { class: 'muted' }, `排队等待 ${Math.round((call.queueWaitMs ?? 0) / 1000)} 秒 · ${fmtTime(call.at)}`),
      );
      const controls = el('div', { class: 'row' },
        el('button', { type: 'button', onclick: () => callAction('hold') }, '保持'),
        el('button', { type: 'button', onclick: () => callAction('unhold') }, '恢复'),
        el('select', { id: 'transfer-to' }, el('option', { value: '' }, '转接到…'),
          desk.meta.supervisors.map((s) => el('option', { value: s.extension }, `值班长 ${s.displayName}（${s.extension}）`)),
          desk.meta.units.filter((u) => u.phone).map((u) => el('option', { value: u.phone }, `${u.name} ${u.phone}`))),
        el('button', { type: 'button', onclick: () => { const d = document.getElementById('transfer-to').value; if (d) callAction('transfer', { destination: d }); } }, '转接'),
        el('button', { type: 'button', class: 'danger', onclick: () => callAction('hangup') }, '挂断'),
      );
      callBox.append(controls);
      const hist = await api('GET', `/api/desk/caller-history?phone=${encodeURIComponent(call.caller)}`).catch(() => null);
      if (hist) {
        if (hist.repeatCaller) callBox.append(el('p', { class: 'warn', id: 'repeat-caller' }, `重复来电：近 ${hist.windowDays} 天已有 ${hist.recentCount} 张工单`));
        callBox.append(el('h3', {}, '历史工单'), hist.tickets.length ? ticketTable(hist.tickets, desk) : el('p', { class: 'muted' }, '该号码没有历史工单'));
      }
    };
    const callAction = async (action, body) => {
      try { await api('POST', `/api/desk/calls/${encodeURIComponent(call.callId)}/${action}`, body); toast('已执行'); } catch (e) { toast(e.message, 'bad'); }
    };
    const setState = async (body) => {
      try { const r = await api('PUT', '/api/desk/agent', body); showState(r.state); } catch (e) { toast(e.message, 'bad'); }
    };
    const drawState = async () => {
      clear(stateBox).append(el('h2', {}, '坐席状态'));
      if (!desk.meta.telephony) { stateBox.append(el('p', { class: 'muted' }, '电话未接入')); return; }
      const r = await api('GET', '/api/desk/agent').catch(() => null);
      if (r?.state) showState(r.state);
      const reason = el('select', { id: 'break-reason' }, ['用餐', '休息', '培训', '会议'].map((x) => el('option', {}, x)));
      stateBox.append(el('div', { class: 'row' },
        el('button', { type: 'button', id: 'state-ready', onclick: () => setState({ state: 'ready' }) }, '示闲'),
        reason,
        el('button', { type: 'button', id: 'state-break', onclick: () => setState({ state: 'on_break', reason: reason.value }) }, '小休'),
        el('button', { type: 'button', id: 'state-wrap', onclick: () => setState({ state: 'wrap_up' }) }, `话后整理（${desk.meta.wrapUpSeconds} 秒后自动示闲）`),
      ));
    };

    // — the ticket form —
    const f = el('form', { id: 'ticket-form', class: 'card', autocomplete: 'off' },
      el('h2', {}, '新建工单'),
      el('div', { class: 'grid2' },
        el('label', {}, '诉求类型', select('kind', Object.entries(KIND_LABELS), 'complaint')),
        el('label', {}, '渠道', select('channel', Object.entries(CHANNEL_LABELS), 'hotline')),
        el('label', {}, '来电人', el('input', { name: 'citizenName', id: 'f-citizenName', maxlength: 100 })),
        el('label', {}, '联系电话', el('input', { name: 'citizenPhone', id: 'f-citizenPhone', maxlength: 30 })),
      ),
      el('label', {}, '标题', el('input', { name: 'title', id: 'f-title', maxlength: 200 })),
      el('label', {}, '诉求内容', el('textarea', { name: 'content', id: 'f-content', rows: 6, required: true })),
      el('div', { class: 'grid2' },
        el('label', {}, '地址', el('input', { name: 'address', id: 'f-address', maxlength: 300 })),
        el('label', {}, '镇街', select('town', [['', '（未识别）'], ...towns.map((u) => [u.code, u.name])], '')),
        el('label', {}, '事项类型', select('eventType', [['', '（按建议或手选）'], ...desk.meta.eventTypes.map((e) => [e.code, `${e.group} · ${e.name}`])], '')),
        el('label', {}, '紧急程度', select('urgency', Object.entries(URGENCY_LABELS), 'general')),
        el('label', {}, '牵头单位', select('leadUnit', unitOptions, '')),
        el('label', {}, '协办单位', select('coUnits', units.map((u) => [u.code, u.name]), '', { multiple: true, size: 3 })),
      ),
      el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'anonymous', id: 'f-anonymous' }), '匿名举报'),
      el('div', { class: 'row' },
        el('button', { type: 'submit', id: 'submit-dispatch' }, '受理并派单（Ctrl+Enter）'),
        el('button', { type: 'button', id: 'submit-accept', onclick: () => submit('accept') }, '仅受理'),
      ),
      el('p', { id: 'form-error', class: 'error', role: 'alert' }),
    );
    const F = (n) => f.elements.namedItem(n);

    // — suggestion, same issue, knowledge —
    const sugBox = el('div', { id: 'suggestion', class: 'card' }, el('h2', {}, '路由建议'), el('p', { class: 'muted' }, '输入诉求内容后自动给出建议'));
    const transcriptBox = el('div', { id: 'transcript', class: 'card', hidden: true });
    const drawTranscript = (tr) => {
      clear(transcriptBox).append(el('h2', {}, '通话转写'), el('p', { class: 'muted' }, `录音 ${tr.recordingId} · ${tr.provider}`), el('p', { class: 'content' }, tr.callerText || tr.text),
        el('button', { type: 'button', onclick: () => { if (!F('content').value.trim()) F('content').value = tr.callerText || tr.text; askSuggestion(); } }, '填入诉求内容'));
      transcriptBox.hidden = false;
    };
    const kbResults = el('div', { id: 'kb-results' });
    const kbInput = el('input', { id: 'kb-q', placeholder: '搜索知识库（Alt+K）' });
    const kbBox = el('div', { class: 'card' }, el('h2', {}, '知识库'), kbInput, kbResults);
    let kbPicked = null;
    const kbSearch = async () => {
      const r = await api('GET', `/api/desk/knowledge?q=${encodeURIComponent(kbInput.value)}`);
      clear(kbResults);
      for (const [i, k] of r.items.entries()) {
        kbResults.append(el('div', { class: 'kb-item' },
          el('strong', {}, k.name), el('span', { class: 'muted' }, ` ${k.category}`), k.source === 'article' ? el('span', { class: 'pill ok kb-article' }, '中心答复') : null,
          el('p', {}, k.answer),
          el('button', { type: 'button', class: 'kb-resolve', dataset: { i: String(i) }, onclick: () => { kbPicked = k; resolveAtIntake(k); } }, '按此答复，直接办结'),
        ));
      }
      kbPicked = r.items[0] ?? null;
    };
    let kbTimer;
    kbInput.addEventListener('input', () => { clearTimeout(kbTimer); kbTimer = setTimeout(kbSearch, 250); });

    const drawSuggestion = (s) => {
      suggestion = s;
      clear(sugBox).append(el('h2', {}, '路由建议'));
      if (!s) return;
      sugBox.append(
        el('p', {}, `诉求类型：${KIND_LABELS[s.kind] ?? s.kind} · 分类：${s.category ?? '未识别'}`),
        el('ol', { id: 'sug-types' }, s.eventTypes.slice(0, 3).map((e, i) => el('li', {},
          el('button', { type: 'button', class: 'link', onclick: () => chooseType(i) }, `${e.name}`),
          ` 置信度 ${Math.round(e.confidence * 100)}%（Alt+${i + 1}）`))),
        el('p', {}, '牵头单位：', el('strong', { id: 'sug-lead' }, desk.unitName(s.leadUnit)), s.coUnits.length ? `；协办：${s.coUnits.map(desk.unitName).join('、')}` : ''),
        el('p', {}, `紧急程度：${URGENCY_LABELS[s.urgency]}；期限：${URGENCY_LABELS[s.deadlineClass]}`),
        el('p', { class: 'muted' }, `依据：${(s.words ?? []).join('、') || '—'}`),
        el('p', { class: 'muted' }, s.explanation ?? ''),
        ...(s.needsOperatorChoice ? [el('p', { class: 'warn' }, `请接线员确认：${(s.operatorChoiceReasons ?? []).join('；')}`)] : []),
        el('button', { type: 'button', id: 'apply-suggestion', onclick: applySuggestion }, '采用建议（Alt+A）'),
      );
      if (s.sameIssue?.length) {
        sugBox.append(el('div', { id: 'same-issue', class: 'warn' }, el('strong', {}, `可能是同一问题：${s.sameIssue.length} 张未办结工单`),
          el('ul', {}, s.sameIssue.slice(0, 5).map((x) => el('li', {}, x.reason ?? `工单 ${x.number}`)))));
      }
    };
    const chooseType = (i) => {
      const e = suggestion?.eventTypes[i];
      if (e) F('eventType').value = e.code;
    };
    const applySuggestion = () => {
      const s = suggestion;
      if (!s) return;
      F('kind').value = s.kind;
      if (s.eventTypes[0]) F('eventType').value = s.eventTypes[0].code;
      if (s.leadUnit) F('leadUnit').value = s.leadUnit;
      for (const o of F('coUnits').options) o.selected = s.coUnits.includes(o.value);
      F('urgency').value = s.urgency;
      if (s.town) F('town').value = s.town;
    };
    let sugTimer;
    const askSuggestion = () => {
      clearTimeout(sugTimer);
      sugTimer = setTimeout(async () => {
        const text = F('content').value;
        if (!text.trim()) return drawSuggestion(null);
        try {
          drawSuggestion(await api('POST', '/api/routing/suggest', { title: F('title').value || undefined, text, address: F('address').value || undefined }));
        } catch (e) { toast(`路由建议失败：${e.message}`, 'bad'); }
      }, 300);
    };
    for (const n of ['content', 'title', 'address']) F(n).addEventListener('input', askSuggestion);

    const body = () => {
      const v = (n) => F(n).value.trim() || null;
      return {
        channel: F('channel').value, kind: F('kind').value, title: v('title'), content: F('content').value, citizenName: v('citizenName'), citizenPhone: v('citizenPhone'),
        address: v('address'), town: v('town'), eventType: v('eventType'), urgency: F('urgency').value, anonymous: F('anonymous').checked, callId: call?.callId ?? null,
      };
    };
    const done = (t, what) => {
      toast(`工单 ${t.number} 已${what}`);
      document.getElementById('form-error').textContent = '';
      f.reset();
      drawSuggestion(null);
      if (call && desk.meta.telephony) setState({ state: 'wrap_up' });
    };
    const submit = async (mode) => {
      const b = body();
      if (mode === 'dispatch') {
        const lead = F('leadUnit').value;
        if (!lead) { document.getElementById('form-error').textContent = '请选择牵头单位（或 Alt+A 采用建议）'; return; }
        b.dispatch = { leadUnit: lead, coUnits: [...F('coUnits').selectedOptions].map((o) => o.value).filter((c) => c !== lead) };
      }
      try {
        const r = await api('POST', '/api/tickets', b);
        if (suggestion?.eventTypes[0] && b.eventType && b.eventType !== suggestion.eventTypes[0].code) {
          api('POST', '/api/routing/corrections', { ticketId: r.ticket.id, title: b.title ?? undefined, text: b.content, suggestedCode: suggestion.eventTypes[0].code, chosenCode: b.eventType }).catch(() => {});
        }
        done(r.ticket, mode === 'dispatch' ? '受理并派单' : '受理');
      } catch (e) { document.getElementById('form-error').textContent = e.message; }
    };
    const resolveAtIntake = async (k) => {
      const b = { ...body(), kind: 'consult', eventType: k?.eventType ?? body().eventType, resolveAtIntake: { answer: k?.answer ?? '' } };
      if (!k) { document.getElementById('form-error').textContent = '请先在知识库中找到答复'; return; }
      try { const r = await api('POST', '/api/tickets', b); done(r.ticket, '直接办结'); } catch (e) { document.getElementById('form-error').textContent = e.message; }
    };
    f.addEventListener('submit', (e) => { e.preventDefault(); submit('dispatch'); });

    const keys = (e) => {
      if (e.ctrlKey && e.key === 'Enter') { e.preventDefault(); submit('dispatch'); return; }
      if (!e.altKey) return;
      const k = e.key.toLowerCase();
      const map = { 1: () => chooseType(0), 2: () => chooseType(1), 3: () => chooseType(2), a: applySuggestion, j: () => resolveAtIntake(kbPicked), k: () => kbInput.focus(), n: () => { f.reset(); drawSuggestion(null); F('content').focus(); }, r: () => setState({ state: 'ready' }), b: () => setState({ state: 'on_break', reason: document.getElementById('break-reason')?.value || '休息' }) };
      const fn = map[k] ?? map[e.code?.replace(/^Digit|^Key/, '').toLowerCase()];
      if (fn) { e.preventDefault(); fn(); }
    };
    document.addEventListener('keydown', keys);

    const onPush = (ev) => {
      const m = ev.detail;
      if (m.type === 'transcript') return drawTranscript(m.transcript);
      if (m.type !== 'call') return;
      const c = m.call;
      if (c.type === 'call_offered') {
        call = c;
        F('citizenPhone').value = c.caller;
        F('channel').value = 'hotline';
        toast(`来电 ${c.caller}`);
        drawCall();
        F('content').focus();
      } else if (c.type === 'call_ended' && call && c.callId === call.callId) {
        toast('通话已结束');
        call = { ...call, ended: true };
      }
    };
    window.addEventListener('push', onPush);
    this.leave = () => { document.removeEventListener('keydown', keys); window.removeEventListener('push', onPush); };

    view.append(el('div', { class: 'intake' },
      el('div', { class: 'col' }, stateBox, callBox, el('div', { class: 'card' }, el('h2', {}, '快捷键'), el('table', { class: 'keys' }, SHORTCUTS.map(([k, t]) => el('tr', {}, el('td', {}, el('kbd', {}, k)), el('td', {}, t)))))),
      el('div', { class: 'col wide' }, f, transcriptBox),
      el('div', { class: 'col' }, sugBox, kbBox),
    ));
    await Promise.all([drawState(), drawCall()]);
    F('content').focus();
  },
};

export function ticketTable(items, desk, extra) {
  return el('table', { class: 'tickets' },
    el('thead', {}, el('tr', {}, ['工单号', '受理时间', '类型', '内容', '牵头单位', '状态', ...(extra ? [extra.head] : [])].map((h) => el('th', {}, h)))),
    el('tbody', {}, items.map((t) => el('tr', { dataset: { id: String(t.id) } },
      el('td', {}, t.number), el('td', {}, fmtTime(t.acceptedAt)), el('td', {}, KIND_LABELS[t.kind] ?? t.kind),
      el('td', { class: 'content' }, t.content), el('td', {}, desk.unitName(t.leadUnit)), el('td', {}, t.statusLabel ?? desk.meta.statusLabels[t.status]),
      ...(extra ? [el('td', {}, extra.cell(t))] : []),
    ))),
  );
}

const mine = {
  title: '我的工单',
  async render(view, desk) {
    const draw = async () => {
      const r = await api('GET', '/api/desk/my-tickets');
      clear(view).append(el('h1', {}, '我受理的工单'), r.items.length ? ticketTable(r.items, desk) : el('p', { class: 'muted' }, '还没有受理工单'));
    };
    const onPush = (ev) => { if (ev.detail.type === 'ticket' && ev.detail.ticket.createdBy === desk.user.id) draw(); };
    window.addEventListener('push', onPush);
    this.leave = () => window.removeEventListener('push', onPush);
    await draw();
  },
};

const visits = {
  title: '人工回访',
  async render(view, desk) {
    const draw = async () => {
      const [r, cb] = await Promise.all([api('GET', '/api/return-visits/manual'), api('GET', '/api/desk/callbacks')]);
      clear(view).append(el('h1', {}, '待回拨（放弃来电）'));
      if (!cb.items.length) view.append(el('p', { class: 'muted' }, '没有待回拨的来电'));
      else view.append(el('table', { class: 'tickets', id: 'callback-list' },
        el('thead', {}, el('tr', {}, ['来电号码', '时间', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, cb.items.map((c) => el('tr', {}, el('td', {}, c.caller), el('td', {}, fmtTime(c.at)),
          el('td', {}, el('button', { type: 'button', onclick: async () => {
            try { await api('POST', `/api/desk/callbacks/${c.id}/done`); toast('已记录回拨'); draw(); } catch (e) { toast(e.message, 'bad'); }
          } }, '已回拨')))))));
      view.append(el('h1', {}, '人工回访清单'), el('p', { class: 'muted' }, '自动回访未能联系上的工单，请人工致电后记录结果。'));
      if (!r.items.length) { view.append(el('p', { class: 'muted' }, '清单为空')); return; }
      view.append(el('table', { class: 'tickets' },
        el('thead', {}, el('tr', {}, ['工单号', '电话', '诉求内容', '记录回访结果'].map((h) => el('th', {}, h)))),
        el('tbody', {}, r.items.map((it) => {
          const reason = el('input', { placeholder: '不满意原因（选填）' });
          return el('tr', {},
            el('td', {}, it.number), el('td', {}, it.citizenPhone ?? '—'), el('td', { class: 'content' }, it.content),
            el('td', {}, reason, Object.entries(OUTCOME_LABELS).map(([o, label]) => el('button', { type: 'button', onclick: async () => {
              try { await api('POST', `/api/return-visits/${it.ticketId}`, { outcome: o, reason: reason.value || undefined }); toast('回访结果已记录'); draw(); } catch (e) { toast(e.message, 'bad'); }
            } }, label))));
        })),
      ));
    };
    await draw();
  },
};

const drafts = {
  title: '留言待补全',
  async render(view, desk) {
    const units = desk.meta.units.filter((u) => u.kind === 'department' || u.kind === 'town');
    const draw = async () => {
      const r = await api('GET', '/api/tickets?status=draft&pageSize=50');
      clear(view).append(el('h1', {}, '非工作时间留言（待补全）'), el('p', { class: 'muted' }, '听取留言录音，补全诉求内容后受理或派单。'));
      if (!r.items.length) { view.append(el('p', { class: 'muted' }, '没有待补全的留言')); return; }
      for (const t of r.items) {
        const content = el('textarea', { rows: 3 }, t.content);
        const kind = select('kind', Object.entries(KIND_LABELS), t.kind);
        const lead = select('leadUnit', [['', '（仅受理，不派单）'], ...units.map((u) => [u.code, u.name])], '');
        const audio = el('div', { class: 'row' });
        api('GET', `/api/desk/tickets/${t.id}/recordings`).then((rec) => {
          const label = { call: '通话录音', message: '留言录音', survey_reason: '回访录音' };
          for (const x of rec.items) audio.append(el('span', { class: 'muted' }, label[x.kind] ?? x.kind), el('audio', { controls: true, preload: 'none', src: `/api/desk/recordings/${x.id}` }));
        }, () => {});
        view.append(el('article', { class: 'card ticket', dataset: { number: t.number } },
          el('header', {}, el('strong', {}, t.number), ` 来电 ${t.citizenPhone ?? '—'} · ${fmtTime(t.acceptedAt)}`),
          audio, content, el('div', { class: 'row' }, kind, lead,
            el('button', { type: 'button', class: 'do-complete', onclick: async () => {
              try {
                await api('POST', `/api/tickets/${t.id}/transitions`, { action: 'complete_draft', input: { kind: kind.value, content: content.value } });
                if (lead.value) await api('POST', `/api/tickets/${t.id}/transitions`, { action: 'dispatch', input: { leadUnit: lead.value, coUnits: [] } });
                toast(`工单 ${t.number} 已${lead.value ? '补全并派单' : '补全受理'}`);
                draw();
              } catch (e) { toast(e.message, 'bad'); }
            } }, '补全'))));
      }
    };
    const onPush = (ev) => { if (ev.detail.type === 'ticket' && ev.detail.ticket.status === 'draft') draw(); };
    window.addEventListener('push', onPush);
    this.leave = () => window.removeEventListener('push', onPush);
    await draw();
  },
};

export const operatorPages = { intake, mine, drafts, visits };
