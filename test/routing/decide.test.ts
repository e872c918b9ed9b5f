import assert from 'node:assert/strict';
import { APPEAL_KINDS } from '../../workflow/types';
import { RoutingInputError } from '../../routing/index';
import { committedRouting } from './support';

const code = (name: string) => committedRouting().taxonomy.eventTypes.find((t) => t.name === name)!.code;

describe('decision table: event type × territory × kind → lead, co-handlers, deadline', () => {
  const r = () => committedRouting();

  it('competence rule: a departmental matter (路灯损坏) is led by its department wherever it happens', () => {
    const d = r().decide(code('路灯损坏'), 'shengcheng', 'complaint');
    assert.equal(d.leadUnit, 'cgj');
    assert.deepEqual(d.coUnits, []);
    assert.equal(d.rule, 'competence');
    assert.equal(d.deadlineClass, 'general');
  });

  it('department with town: the department leads and the town where it happens co-handles (占道经营)', () => {
    const d = r().decide(code('占道经营'), 'wenjia', 'complaint');
    assert.equal(d.leadUnit, 'cgj');
    assert.deepEqual(d.coUnits, ['wenjia']);
  });

  it('territorial rule: a town matter (宅基地纠纷) is led by the town, the department co-handles', () => {
    const d = r().decide(code('宅基地纠纷'), 'daotian', 'complaint');
    assert.equal(d.leadUnit, 'daotian');
    assert.deepEqual(d.coUnits, ['nyj', 'zrj']);
    assert.equal(d.rule, 'territorial');
    assert.equal(d.deadlineClass, 'complex');
  });

  it('a territorial matter with no known town falls back to the department and asks for the town', () => {
    const d = r().decide(code('宅基地纠纷'), null, 'complaint');
    assert.equal(d.leadUnit, 'nyj');
    assert.equal(d.needsTown, true);
    assert.match(d.reason, /请接线员确认镇街/);
  });

  it('a report (举报) in a town matter is still the town’s (village affairs, village illegal building): the department co-handles', () => {
    const d = r().decide(code('村务公开与集体资产'), 'taitou', 'report');
    assert.equal(d.leadUnit, 'taitou');
    assert.deepEqual(d.coUnits, ['nyj']);
    assert.equal(r().decide(code('农村私搭乱建'), 'yingli', 'report').leadUnit, 'yingli');
  });

  it('an emergency in a town-led matter is led by the unit that acts, the town helps (a dike breach: 水利局)', () => {
    const d = r().decide(code('防汛抗旱'), 'daotian', 'help_request', { emergency: true });
    assert.equal(d.leadUnit, 'slj');
    assert.ok(d.coUnits.includes('daotian'));
    assert.equal(d.deadlineClass, 'emergency');
  });

  it('extra co-handlers from the triage join the type’s own, never the lead, and must be departments', () => {
    const d = r().decide(code('电梯故障'), 'luocheng', 'help_request', { emergency: true, coUnits: ['xfjy', 'scj'] });
    assert.equal(d.leadUnit, 'scj');
    assert.deepEqual(d.coUnits, ['zjj', 'xfjy']);
    assert.throws(() => r().decide(code('电梯故障'), null, 'complaint', { coUnits: ['luocheng'] }), /未知的协办单位/);
  });

  it('an emergency is due for feedback within the hour; a suggestion is a complex matter; a consult may be resolved at intake', () => {
    assert.equal(r().decide(code('燃气供应服务'), null, 'help_request', { emergency: true }).deadlineClass, 'emergency');
    assert.equal(r().decide(code('公交线路与服务'), null, 'suggestion').deadlineClass, 'complex');
    const consult = r().decide(code('户籍与身份证'), null, 'consult');
    assert.equal(consult.resolvableAtIntake, true);
    assert.equal(consult.deadlineClass, 'general');
  });

  it('every event type, with or without a town, for every kind: exactly one lead, never also a co-handler, all units real', () => {
    const units = r().units;
    for (const t of r().taxonomy.eventTypes)
      for (const town of [null, 'gucheng'])
        for (const kind of APPEAL_KINDS) {
          const d = r().decide(t.code, town, kind);
          assert.ok(units.byCode.has(d.leadUnit), `${t.code} lead`);
          assert.ok(!d.coUnits.includes(d.leadUnit), `${t.code} lead is not a co-handler`);
          assert.equal(new Set(d.coUnits).size, d.coUnits.length, `${t.code} no duplicate co-handlers`);
          for (const c of d.coUnits) assert.ok(units.byCode.has(c));
          assert.ok(d.reason.length > 0);
        }
  });

  it('refuses an unknown event type, town or kind with a clear error', () => {
    assert.throws(() => r().decide('XX-0000', null, 'complaint'), (e: Error) => e instanceof RoutingInputError && /未知的事项类型/.test(e.message));
    assert.throws(() => r().decide(code('路灯损坏'), 'cgj', 'complaint'), /未知的镇街/);
    assert.throws(() => r().decide(code('路灯损坏'), null, 'praise' as never), /未知的诉求类型/);
  });
});
