// The words of the desk: labels of the API's codes, times in the city's zone, countdowns.
import { serverNow } from './clock';
export const KIND_LABELS: Record<string, string> = { consult: '咨询', complaint: '投诉', help_request: '求助', report: '举报', suggestion: '建议' };
export const CHANNEL_LABELS: Record<string, string> = { hotline: '民声热线', gov_service_hotline: '政务服务热线', urban_hotline: '城管热线', mayor_mailbox: '书记市长信箱', web: '热线网站', photo_report: '随手拍', grid_report: '网格上报' };
export const URGENCY_LABELS: Record<string, string> = { emergency: '紧急（1小时反馈）', general: '一般（3个工作日）', complex: '复杂（5个工作日）' };
export const URGENCY_SHORT: Record<string, string> = { emergency: '紧急', general: '一般', complex: '复杂' };
export const STATE_LABELS: Record<string, string> = { logged_out: '未签入', ready: '示闲', on_break: '小休', wrap_up: '话后整理', on_call: '通话中' };
export const OUTCOME_LABELS: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unreachable: '未联系上' };
export const ROLE_LABELS: Record<string, string> = { operator: '接线员', supervisor: '值班长', unit_handler: '承办单位', leader: '市领导', admin: '系统管理员', system: '系统' };
export const CLOCK_LABELS: Record<string, string> = { ack: '签收期限', feedback: '紧急反馈期限', close: '办结期限' };
export const LEVEL_LABELS: Record<string, string> = { ok: '正常', warning: '即将超期', breach: '已超期' };

const TZ = 'Asia/Shanghai';

/** 11-23 10:05 in the city's time. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('zh-CN', { timeZone: TZ, hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** 2026-11-23 10:05 in the city's time. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** The city's calendar day (YYYY-MM-DD) of an instant. */
export function cityDay(at: number | Date = serverNow()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** "剩余 2天3小时" / "超期 25分钟" from now to a due time. */
export function countdown(dueIso: string, now = serverNow()): string {
  let ms = Date.parse(dueIso) - now;
  const over = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86400000), h = Math.floor((ms % 86400000) / 3600000), m = Math.floor((ms % 3600000) / 60000);
  // Past a day the minutes say nothing and made the pill too long for its column.
  const s = d ? `${d}天${h}小时` : (h ? `${h}小时` : '') + `${m}分钟`;
  return over ? `超期 ${s}` : `剩余 ${s}`;
}

export const pct = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);

/** Why a suggested event type is first when a rule, not the ranking's probability, chose it. */
export const BASIS_LABELS: Record<string, string> = {
  danger: '按险情确定（规则，非概率）',
  duty: '按职责划分确定（规则，非概率）',
  village: '按属地管理确定（农村或镇驻地）',
  city: '按业务主管确定（城区街道、小区）',
};
