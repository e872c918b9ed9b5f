// The Chinese names of the fields people send, so that every error message names the
// field the way the page does (「办结期限：不是有效的时间」, never 「dueAt：…」). The raw name
// stays in `issues[].field` for the page to place the message.

export const FIELD_LABELS: Record<string, string> = {
  // Appeals and tickets
  channel: '受理渠道', kind: '诉求类型', title: '标题', content: '诉求内容', citizenName: '群众姓名', citizenPhone: '联系电话',
  anonymous: '匿名', noCallback: '不需回访', address: '事发地址', town: '所属镇街', lat: '纬度', lng: '经度', long: '经度',
  eventType: '事项类型', urgency: '紧急程度', callId: '通话', draft: '草稿', dispatch: '派单', resolveAtIntake: '直接办结',
  answer: '答复内容', leadUnit: '牵头单位', coUnits: '协办单位', number: '工单编号', id: '工单编号', ticketId: '工单编号',
  // Transitions
  action: '操作', reason: '理由', input: '操作参数', until: '延期至', dueAt: '办结期限', outcome: '回访结果', attempt: '回访次数',
  clock: '期限类型', level: '级别',
  // Search and lists
  status: '状态', unit: '单位', units: '单位', overdue: '是否超期', from: '开始时间', to: '结束时间', dateField: '时间类型',
  phone: '电话号码', name: '姓名', q: '关键词', page: '页码', pageSize: '每页条数', sort: '排序', category: '事项分类',
  format: '导出格式', metric: '统计项', days: '天数', by: '分组方式', date: '日期', year: '年份', signed: '签收状态',
  // Merge, notices, visits
  into: '主工单', intoNumber: '主工单编号', note: '签收备注',
  // Accounts and sessions
  username: '用户名', password: '密码', currentPassword: '当前密码', newPassword: '新密码', displayName: '姓名', role: '角色',
  extension: '分机号', active: '启用',
  // Knowledge base, routing
  keywords: '搜索词', text: '文字', suggestedCode: '建议的事项类型', chosenCode: '选定的事项类型',
  // Agent desk
  state: '坐席状态', destination: '转接号码',
};

/** "coUnits.1" → 「协办单位（第 2 项）」; "(body)" → 「请求内容」. */
export function fieldLabel(path: string): string {
  if (!path || path === '(body)') return '请求内容';
  const parts = path.split('.');
  const out: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p)) out.push(`（第 ${Number(p) + 1} 项）`);
    else out.push((out.length ? '的' : '') + (FIELD_LABELS[p] ?? p));
  }
  return out.join('');
}
