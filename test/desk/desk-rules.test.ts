// The desk's pure rules: deadline colours, the wallboard's numbers, the login limiter, the knowledge base.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { currentDeadline } from '../../agent-desk/deadlines';
import { buildWallboard } from '../../agent-desk/wallboard';
import { articleEntries, buildKnowledge, searchKnowledge } from '../../agent-desk/knowledge';
import { zonedMidnight } from '../../agent-desk/api';
import { messageOf } from '../../agent-desk/web/src/api';
import { Ticket } from '../../workflow/types';

const repoRoot = path.resolve(__dirname, '../..');
const base: Ticket = {
  id: 1, number: '202611230001', channel: 'hotline', kind: 'complaint', status: 'acknowledged', title: null, content: '噪音扰民', citizenName: null, citizenPhone: null,
  anonymous: false, noCallback: false, address: null, town: null, lat: null, lng: null, eventType: null, urgency: 'general', leadUnit: 'cgj', coUnits: [], firstUnit: 'cgj',
  returnOverruled: false, handlingRound: 1, escalationLevel: 0, satisfaction: null, acceptedAt: '2026-11-23T00:00:00.000Z', dispatchedAt: '2026-11-23T00:00:00.000Z',
  acknowledgedAt: '2026-11-23T00:10:00.000Z', ackDueAt: '2026-11-23T02:00:00.000Z', feedbackDueAt: null, feedbackAt: null, dueAt: '2026-11-23T10:00:00.000Z', repliedAt: null,
  closedAt: null, extensionPending: null, callId: null, createdBy: 1, updatedAt: '2026-11-23T00:10:00.000Z', mergedInto: null,
};
const at = (iso: string) => new Date(iso);

describe('desk rules', () => {
  it('a unit deadline turns to warning at 75 % of its time and to breach when it passes', () => {
    assert.equal(currentDeadline(base, at('2026-11-23T07:29:00Z'))!.level, 'ok');
    assert.equal(currentDeadline(base, at('2026-11-23T07:30:00Z'))!.level, 'warning');
    assert.equal(currentDeadline(base, at('2026-11-23T10:00:00Z'))!.level, 'breach');
  });

  it('a ticket not yet acknowledged runs on its acknowledge deadline; an emergency on its feedback deadline', () => {
    assert.equal(currentDeadline({ ...base, status: 'dispatched', acknowledgedAt: null }, at('2026-11-23T01:00:00Z'))!.clock, 'ack');
    const e = currentDeadline({ ...base, urgency: 'emergency', feedbackDueAt: '2026-11-23T01:00:00.000Z' }, at('2026-11-23T00:50:00Z'))!;
    assert.deepEqual([e.clock, e.level], ['feedback', 'warning']);
    assert.equal(currentDeadline({ ...base, status: 'replied' }, at('2026-11-23T12:00:00Z')), null);
  });

  it('the wallboard counts warnings and breaches by lead unit, emergencies awaiting feedback, and today\'s return-visit outcomes', () => {
    const w = buildWallboard({
      now: at('2026-11-23T08:00:00Z'),
      acceptedToday: [base, { ...base, id: 2, channel: 'web', kind: 'consult' }],
      open: [base, { ...base, id: 2, leadUnit: 'zjj', dueAt: '2026-11-23T07:00:00.000Z' }, { ...base, id: 3, urgency: 'emergency', feedbackDueAt: '2026-11-23T20:00:00.000Z' }],
      visitsToday: [{ id: 1, ticketId: 9, action: 'record_return_visit', fromStatus: 'reviewed', toStatus: 'closed', actorId: null, actorRole: 'system', actorUnit: null, reason: null, data: { outcome: 'satisfied' }, createdAt: '2026-11-23T03:00:00.000Z' }],
      waitingSince: ['2026-11-23T07:59:30.000Z', '2026-11-23T07:58:00.000Z'],
      calls: null,
      agents: [{ agent: '1001', state: 'ready' }, { agent: '1002', state: 'on_break' }, { agent: '1003', state: 'ready' }],
      hotSpots: [],
    });
    assert.deepEqual(w.deadlinesByUnit, [{ unit: 'zjj', warning: 0, breach: 1 }, { unit: 'cgj', warning: 1, breach: 0 }]);
    assert.deepEqual(w.intakeByChannel, { hotline: 1, web: 1 });
    assert.equal(w.emergenciesAwaitingFeedback.length, 1);
    assert.deepEqual(w.returnVisitsToday, { satisfied: 1 });
    assert.deepEqual([w.callsWaiting, w.longestWaitMs], [2, 120_000]);
    assert.deepEqual(w.agentsByState, { ready: 2, on_break: 1 });
  });

  it("today on the wallboard starts at midnight in the city's time zone", () => {
    assert.equal(zonedMidnight('2026-11-23', 'Asia/Shanghai'), '2026-11-22T16:00:00.000Z');
    assert.equal(zonedMidnight('2026-07-01', 'Europe/Berlin'), '2026-06-30T22:00:00.000Z');
  });

  it('the knowledge base answers a street-light question with the governing unit of the city configuration', () => {
    const types = JSON.parse(fs.readFileSync(path.join(repoRoot, 'city/demo/event-types.json'), 'utf8')).eventTypes;
    const units = JSON.parse(fs.readFileSync(path.join(repoRoot, 'city/demo/units.json'), 'utf8')).units.map((u: any) => ({ code: u.code, name: u.name, duty: u.duty ?? null, phone: u.phone ?? null }));
    const hits = searchKnowledge(buildKnowledge({ eventTypes: types, units }), '路灯');
    assert.equal(hits[0].name, '路灯损坏');
    assert.match(hits[0].answer, /城市管理局负责/);
    assert.deepEqual(searchKnowledge(buildKnowledge({ eventTypes: types, units }), '   '), []);
  });

  it("the center's article outranks a catalogue entry that matches as well, and takes its event type's category", () => {
    const types = JSON.parse(fs.readFileSync(path.join(repoRoot, 'city/demo/event-types.json'), 'utf8')).eventTypes;
    const units = JSON.parse(fs.readFileSync(path.join(repoRoot, 'city/demo/units.json'), 'utf8')).units.map((u: any) => ({ code: u.code, name: u.name, duty: u.duty ?? null, phone: u.phone ?? null }));
    const src = { eventTypes: types, units };
    const articles = articleEntries([
      { id: 7, title: '路灯损坏', keywords: [], answer: '夜间路灯不亮可拨打城管值班电话，24 小时内派人修复。', unit: 'cgj', eventType: 'CX-0101' },
      { id: 8, title: '无主的问题', keywords: ['无主'], answer: '请转值班长。', unit: 'nowhere', eventType: null },
    ], src);
    assert.deepEqual([articles[0].category, articles[0].unit?.name, articles[1].category, articles[1].unit], ['城乡建设', '城市管理局', '中心知识库', null]);
    // Equal scores (name and keyword match on both): the article first.
    const one = { eventTypes: [{ code: 'CX-0101', name: '路灯损坏', category: '城乡建设', owner: 'cgj', keywords: ['路灯'], examples: [] }], units };
    const tied = articleEntries([{ id: 7, title: '路灯损坏', keywords: ['路灯'], answer: '可拨打城管值班电话。', unit: 'cgj', eventType: 'CX-0101' }], one);
    const hits = searchKnowledge([...buildKnowledge(one), ...tied], '路灯损坏');
    assert.deepEqual(hits.map((x) => x.code), ['KB-7', 'CX-0101']);
  });
});

describe('error messages the desk shows', () => {
  it('a sentence that already says its issues is shown once, not repeated after itself', () => {
    const body = { error: { message: '新密码不能以本系统或本市的名称（hotline、minsheng、12345、shouguang 等）为密码', issues: [{ field: 'newPassword', message: '不能以本系统或本市的名称（hotline、minsheng、12345、shouguang 等）为密码' }] } };
    assert.equal(messageOf(400, body), '新密码不能以本系统或本市的名称（hotline、minsheng、12345、shouguang 等）为密码');
    const two = { error: { message: '新密码至少 8 个字符；不能包含用户名', issues: [{ field: 'newPassword', message: '至少 8 个字符' }, { field: 'newPassword', message: '不能包含用户名' }] } };
    assert.equal(messageOf(400, two), '新密码至少 8 个字符；不能包含用户名');
  });

  it('a "what：" head keeps its head, and each issue names its field as the form does, never the API name', () => {
    const body = { error: { message: '工单：dueAt：不是有效的时间', issues: [{ field: 'input.dueAt', message: '不是有效的时间（ISO 8601）' }, { field: 'citizenPhone', message: '不是有效的电话号码' }] } };
    assert.equal(messageOf(400, body), '工单：新期限：不是有效的时间（ISO 8601）；联系电话：不是有效的电话号码');
  });

  it('issues the message does not say are listed with their field names', () => {
    const body = { error: { message: '请求无效', issues: [{ field: 'phone', message: '不是有效的电话号码' }] } };
    assert.equal(messageOf(400, body), '电话号码：不是有效的电话号码');
  });
});
