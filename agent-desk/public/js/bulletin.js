// The daily bulletin (民情快报) and weekly bulletin (民情周报): charts drawn in SVG,
// printable to PDF from the browser (print CSS), every table exportable as CSV.
import { api, el, clear, KIND_LABELS, CHANNEL_LABELS, downloadCsv } from './api.js';
import { bars, trend, heat } from './charts.js';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);

function table(id, title, header, rows) {
  return el('section', { class: 'card table-block', id },
    el('h2', {}, title, ' ', el('button', { type: 'button', class: 'no-print csv', onclick: () => downloadCsv(`${id}.csv`, header, rows) }, '导出 CSV')),
    el('table', {}, el('thead', {}, el('tr', {}, header.map((h) => el('th', {}, h)))), el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c)))))));
}

export const bulletinPage = {
  title: '民情简报',
  async render(view, desk) {
    const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const kind = params.get('kind') === 'weekly' ? 'weekly' : 'daily';
    const date = params.get('date') ?? '';
    const b = await api('GET', `/api/bulletins/${kind}${date ? `?date=${encodeURIComponent(date)}` : ''}`);
    const name = kind === 'daily' ? '民情快报' : '民情周报';
    const dateInput = el('input', { type: 'date', value: b.period.days.at(-1) });
    const go = (k) => { location.hash = `#/bulletin?kind=${k}&date=${dateInput.value}`; };
    const city = b.kpis.city;
    const label = (m, labels) => Object.entries(m).sort((x, y) => y[1] - x[1]).map(([k, v]) => [labels?.[k] ?? desk.unitName(k) ?? k, v]);
    const byTown = label(b.intake.byTown);
    clear(view).append(
      el('div', { class: 'no-print row' }, dateInput,
        el('button', { type: 'button', onclick: () => go('daily') }, '民情快报（日）'),
        el('button', { type: 'button', onclick: () => go('weekly') }, '民情周报（周）'),
        el('button', { type: 'button', onclick: () => window.print() }, '打印 / 存为 PDF')),
      el('h1', { class: 'bulletin-title' }, `寿光市民声热线 ${name}`),
      el('p', { class: 'muted' }, `统计期间：${b.period.days[0]} 至 ${b.period.days.at(-1)}`),
      el('p', { class: 'summary' }, `本期受理群众诉求 ${b.intake.total} 件；办结 ${city.closed} 件，按时办结率 ${pct(city.onTimeRate)}；回访 ${city.returnVisits} 次，满意率 ${pct(city.satisfactionRate)}（满意与基本满意 ÷ 联系上的回访）；不满意 ${b.unsatisfied} 件，升级 ${b.escalations} 件，紧急事项 ${b.emergencies} 件。`),
      el('div', { class: 'panels' },
        el('section', { class: 'card' }, el('h2', {}, '受理渠道'), bars(label(b.intake.byChannel, CHANNEL_LABELS), { width: 420 })),
        el('section', { class: 'card' }, el('h2', {}, '诉求类型'), bars(label(b.intake.byKind, KIND_LABELS), { width: 420 })),
        el('section', { class: 'card' }, el('h2', {}, '诉求分类'), bars(label(b.intake.byCategory).slice(0, 12), { width: 420 })),
        el('section', { class: 'card' }, el('h2', {}, '受理趋势'), trend(b.intake.trend.map((d) => [d.day.slice(5), d.count]), { width: 420 })),
        el('section', { class: 'card' }, el('h2', {}, '镇街热力'), heat(byTown.slice(0, 15), { cols: 4, size: 105 })),
        el('section', { class: 'card' }, el('h2', {}, '热词'), b.hotWords.length ? el('ol', { class: 'hot-words' }, b.hotWords.slice(0, 15).map((w) => el('li', {}, `${w.word}（${w.count}）`))) : el('p', { class: 'muted' }, '本期没有明显上升的热词')),
      ),
      table('ranking', '承办单位排名（按时办结率、满意率）', ['名次', '单位', '得分', '承办', '办结', '按时办结率', '满意率', '退单', '退回至改派耗时（小时）'],
        b.ranking.map((r) => [r.rank, desk.unitName(r.unit), r.score, r.kpis.received, r.kpis.closed, pct(r.kpis.onTimeRate), pct(r.kpis.satisfactionRate), r.kpis.returns, r.kpis.hoursLostToReturns])),
      table('by-channel', '按渠道', ['渠道', '件数'], label(b.intake.byChannel, CHANNEL_LABELS)),
      table('by-kind', '按类型', ['类型', '件数'], label(b.intake.byKind, KIND_LABELS)),
      table('by-category', '按分类', ['分类', '件数'], label(b.intake.byCategory)),
      table('by-town', '按镇街', ['镇街', '件数'], byTown),
      table('hot-spots', '热点', ['事项', '镇街', '件数', '平时'], b.hotSpots.map((h) => [desk.meta.eventTypes.find((e) => e.code === h.eventType)?.name ?? h.eventType, desk.unitName(h.town), h.count, h.baseline.toFixed(1)])),
    );
  },
};
