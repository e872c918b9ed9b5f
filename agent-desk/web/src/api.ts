// Talking to the server: JSON calls with the CSRF token, uploads, and errors said in
// words a person can act on (field names of the API are never shown).
let csrf: string | null = null;
export function setCsrf(t: string | null): void {
  csrf = t;
}

/** Called when the server says the session is gone (expired, ended elsewhere, account changed). */
let onSignedOut: (() => void) | null = null;
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

/** The API's field names as the forms call them, for messages that name a field. */
export const FIELD_LABELS: Record<string, string> = {
  channel: '渠道', kind: '诉求类型', title: '标题', content: '诉求内容', citizenName: '来电人', citizenPhone: '联系电话',
  address: '地址', town: '镇街', eventType: '事项类型', urgency: '紧急程度', anonymous: '匿名', leadUnit: '牵头单位',
  coUnits: '协办单位', dispatch: '派单', 'dispatch.leadUnit': '牵头单位', 'dispatch.coUnits': '协办单位', dueAt: '新期限',
  until: '延期至', reason: '理由', answer: '答复口径', outcome: '回访结果', phone: '电话号码', username: '用户名',
  displayName: '姓名', role: '角色', unit: '单位', extension: '分机号', password: '密码', currentPassword: '当前密码',
  newPassword: '新密码', keywords: '检索词', q: '检索内容', from: '开始日期', to: '结束日期', date: '日期',
  number: '工单号', status: '状态', page: '页码', pageSize: '每页条数', destination: '转接号码', state: '坐席状态',
};

/** A field path of the API (`input.dueAt`, `dispatch.leadUnit`) as the person knows it. */
export function fieldLabel(path: string): string {
  if (FIELD_LABELS[path]) return FIELD_LABELS[path];
  const parts = path.split('.').filter((p) => p !== 'input' && !/^\d+$/.test(p));
  const last = parts.at(-1) ?? path;
  return FIELD_LABELS[parts.join('.')] ?? FIELD_LABELS[last] ?? (path === '(body)' ? '' : '该项');
}

interface ErrorBody { error?: { code?: string; message?: string; issues?: { field: string; message: string }[] } }

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, body: unknown) {
    super(messageOf(status, body));
    this.status = status;
    this.code = (body as ErrorBody | null)?.error?.code;
  }
}

/** The server's message, with any API field name replaced by the form's label. */
export function messageOf(status: number, body: unknown): string {
  const e = (body as ErrorBody | null)?.error;
  if (!e?.message) return `请求失败（${status}）`;
  if (e.issues?.length) {
    const colon = e.message.indexOf('：');
    // A message without a "what：" head already says every issue in one sentence (「新密码不能包含用户名」).
    if (colon < 0 && e.issues.every((i) => e.message!.includes(i.message))) return e.message;
    const list = e.issues.map((i) => { const f = fieldLabel(i.field); return f ? `${f}：${i.message}` : i.message; }).join('；');
    return colon < 0 ? list : `${e.message.slice(0, colon)}：${list}`;
  }
  return e.message;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (res.status === 401 && path !== '/api/session' && path !== '/api/me') onSignedOut?.();
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

/** Upload one file as the raw body with its own content type (photos, PDFs, audio). */
export async function upload(path: string, file: File): Promise<unknown> {
  const res = await fetch(path, {
    method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: file, credentials: 'same-origin',
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A query string from the set values of a filter (empty ones left out). */
export function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
