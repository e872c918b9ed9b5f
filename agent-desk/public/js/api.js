// Talking to the server: JSON calls with the CSRF token, and a DOM builder that only
// ever sets text (citizen text is never parsed as HTML).
let csrf = null;
export function setCsrf(t) { csrf = t; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `请求失败（${status}）`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Upload one file as the raw body with its own content type (photos, PDFs, audio). */
export async function upload(path, file) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: file, credentials: 'same-origin' });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** el('div', {class: 'x', onclick}, 'text', child…): attributes, listeners, text children. */
export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

export function clear(n) { while (n.firstChild) n.firstChild.remove(); return n; }

export function toast(text, kind = 'info') {
  const t = el('div', { class: `toast ${kind}` }, text);
  document.getElementById('toasts').append(t);
  setTimeout(() => t.remove(), 6000);
}

export const KIND_LABELS = { consult: '咨询', complaint: '投诉', help_request: '求助', report: '举报', suggestion: '建议' };
export const CHANNEL_LABELS = { hotline: '民声热线', gov_service_hotline: '政务服务热线', urban_hotline: '城管热线', mayor_mailbox: '书记市长信箱', web: '热线网站', photo_report: '随手拍', grid_report: '网格上报' };
export const URGENCY_LABELS = { emergency: '紧急（1小时反馈）', general: '一般（3个工作日）', complex: '复杂（5个工作日）' };
export const STATE_LABELS = { logged_out: '未签入', ready: '示闲', on_break: '小休', wrap_up: '话后整理', on_call: '通话中' };
export const OUTCOME_LABELS = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unreachable: '未联系上' };

export function fmtTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** "剩余 2天3小时" / "超期 25分钟" from now to a due time. */
export function countdown(dueIso, now = Date.now()) {
  let ms = Date.parse(dueIso) - now;
  const over = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86400000), h = Math.floor((ms % 86400000) / 3600000), m = Math.floor((ms % 3600000) / 60000);
  const s = (d ? `${d}天` : '') + (d || h ? `${h}小时` : '') + `${m}分钟`;
  return over ? `超期 ${s}` : `剩余 ${s}`;
}

/** CSV (UTF-8 with BOM, so Excel reads the Chinese) of rows, downloaded as a file. */
export function downloadCsv(name, header, rows) {
  const cell = (v) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@]/.test(s)) s = `'${s}`; // no formulas from data in a spreadsheet
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}
