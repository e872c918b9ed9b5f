import assert from 'node:assert/strict';
import { afterAttempt, makeVisitPolicy, nextCallingTime, parseCallingHours, planVisit } from '../../workflow/return-visits';
import { InvalidInput } from '../../workflow/errors';

const policy = makeVisitPolicy();
const bj = (s: string) => new Date(`${s}+08:00`);

describe('return-visit rules', () => {
  it('calls only within calling hours: 09:00–12:00 and 14:00–20:00 by default', () => {
    assert.equal(nextCallingTime(bj('2026-11-23T10:15:00'), policy).toISOString(), bj('2026-11-23T10:15:00').toISOString());
    assert.equal(nextCallingTime(bj('2026-11-23T12:30:00'), policy).toISOString(), bj('2026-11-23T14:00:00').toISOString());
    assert.equal(nextCallingTime(bj('2026-11-23T20:00:00'), policy).toISOString(), bj('2026-11-24T09:00:00').toISOString());
    assert.equal(nextCallingTime(bj('2026-11-24T06:59:30'), policy).toISOString(), bj('2026-11-24T09:00:00').toISOString());
  });

  it('a failed attempt is tried again 2 hours later, moved into calling hours, so attempts fall at different times', () => {
    const r = afterAttempt('busy', 1, bj('2026-11-23T11:00:00'), policy);
    assert.deepEqual(r, { state: 'pending', nextAt: bj('2026-11-23T14:00:00').toISOString() });
  });

  it('after the third unanswered attempt the ticket goes to the operators’ manual list', () => {
    const r = afterAttempt('no_answer', 3, bj('2026-11-23T15:00:00'), policy);
    assert.equal(r.state, 'manual');
    assert.match((r as { reason: string }).reason, /3 次.*无人接听/);
  });

  it('a digit answers the survey', () => {
    assert.deepEqual(afterAttempt('unsatisfied', 1, new Date(), policy), { state: 'done', outcome: 'unsatisfied' });
  });

  it('anonymous reports, citizens who asked not to be called and tickets without a phone get a manual visit', () => {
    assert.deepEqual(planVisit({ citizenPhone: '13812345678', noCallback: false, anonymous: false }), { mode: 'auto' });
    assert.equal(planVisit({ citizenPhone: null, noCallback: true, anonymous: true }).mode, 'manual');
    assert.match((planVisit({ citizenPhone: '13812345678', noCallback: true, anonymous: false }) as { reason: string }).reason, /不回访/);
    assert.match((planVisit({ citizenPhone: null, noCallback: false, anonymous: false }) as { reason: string }).reason, /没有联系电话/);
  });

  it('refuses calling hours it cannot read', () => {
    assert.throws(() => parseCallingHours('9-12'), InvalidInput);
    assert.throws(() => parseCallingHours('14:00-12:00'), InvalidInput);
    assert.deepEqual(parseCallingHours('14:00-20:00, 09:00-12:00'), [[540, 720], [840, 1200]]);
  });
});
