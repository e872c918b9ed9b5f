// The knowledge base's articles, kept by supervisors: the center's own answers to common
// consults, which operators find beside the catalogue and read out on the call.
import { api, el, clear, toast, fmtTime } from './api.js';

export const knowledgePage = {
  title: '知识库维护',
  async render(view, desk) {
    let articles = [];
    const editArea = el('div');

    const form = (a, done) => {
      const title = el('input', { name: 'title', required: true, maxlength: 100, value: a?.title ?? '' });
      const keywords = el('input', { name: 'keywords', placeholder: '用空格或逗号分隔，如：社保卡 补办 挂失', value: (a?.keywords ?? []).join(' ') });
      const answer = el('textarea', { name: 'answer', rows: 6, required: true, maxlength: 4000 }, a?.answer ?? '');
      const unit = el('select', { name: 'unit' }, el('option', { value: '' }, '（不指定）'),
        desk.meta.units.filter((u) => u.kind !== 'center' && u.kind !== 'leader').map((u) => el('option', { value: u.code, selected: u.code === a?.unit }, u.name)));
      const type = el('select', { name: 'eventType' }, el('option', { value: '' }, '（不指定）'),
        desk.meta.eventTypes.map((t) => el('option', { value: t.code, selected: t.code === a?.eventType }, `${t.group} · ${t.name}`)));
      const active = el('input', { type: 'checkbox', name: 'active', checked: a ? a.active : true });
      const error = el('p', { class: 'error', role: 'alert' });
      return el('form', { class: 'article-form', onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        const body = {
          title: title.value.trim(), answer: answer.value.trim(), keywords: keywords.value.split(/[\s,，、]+/).filter(Boolean),
          unit: unit.value || null, eventType: type.value || null, active: active.checked,
        };
        try {
          if (a) await api('PATCH', `/api/desk/knowledge/articles/${a.id}`, body);
          else await api('POST', '/api/desk/knowledge/articles', body);
          toast(a ? '文章已保存' : '文章已新增，接线员即可检索');
          await done();
        } catch (e) { error.textContent = e.message; }
      } },
        a ? el('h2', {}, `修改：${a.title}`) : null,
        el('label', {}, '标题（群众常问的问题）', title),
        el('label', {}, '检索词', keywords),
        el('label', {}, '答复口径（接线员照此答复并直接办结）', answer),
        el('div', { class: 'grid2' }, el('label', {}, '主管单位', unit), el('label', {}, '事项类型（直接办结时归入）', type)),
        el('label', { class: 'inline' }, active, '启用（停用后接线员检索不到）'),
        error,
        el('div', { class: 'row' }, el('button', { type: 'submit' }, a ? '保存' : '新增'),
          a ? el('button', { type: 'button', class: 'link', onclick: () => done() }, '取消') : null));
    };

    const draw = () => {
      const rows = articles.map((a) => el('tr', { class: a.active ? '' : 'muted', dataset: { id: String(a.id) } },
        el('td', {}, a.title), el('td', {}, a.keywords.join(' ')), el('td', { class: 'content' }, a.answer),
        el('td', {}, a.unit ? desk.unitName(a.unit) : '—'), el('td', {}, a.active ? '启用' : '停用'), el('td', {}, fmtTime(a.updatedAt)),
        el('td', {}, el('button', { type: 'button', class: 'link edit', onclick: () => { clear(editArea).append(el('section', { class: 'card' }, form(a, load))); window.scrollTo(0, 0); } }, '修改'))));
      clear(view).append(el('h1', {}, '知识库维护'),
        el('p', { class: 'muted' }, '中心的答复口径：接线员在来电受理页检索知识库时，这里的文章排在事项目录之前，可按此答复并直接办结。'),
        editArea,
        el('details', { class: 'card', open: !articles.length }, el('summary', {}, '新增文章'), form(null, load)),
        articles.length
          ? el('section', { class: 'card' }, el('table', { class: 'articles' },
            el('thead', {}, el('tr', {}, ['标题', '检索词', '答复口径', '主管单位', '状态', '更新', ''].map((h) => el('th', {}, h)))), el('tbody', {}, rows)))
          : el('p', { class: 'muted' }, '还没有文章'));
    };
    const load = async () => {
      articles = (await api('GET', '/api/desk/knowledge/articles')).articles;
      clear(editArea);
      draw();
    };
    await load();
  },
};
