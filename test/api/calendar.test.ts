import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller } from '../support/hotline';

// Tuesday 2026-12-01 10:00 Beijing: the next 60 days reach into 2027, which no source covers.
const DEC_1 = Date.parse('2026-12-01T02:00:00Z');
const SCHEDULE_2027 = { year: 2027, title: '测试用：2027 年安排（只列元旦）', holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }] };

describe('working calendar: coverage and loading a year', function () {
  let h: TestHotline;
  let sup: Caller;
  let op: Caller;
  let now = DEC_1;
  before(async () => {
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    sup = await h.as('sup01');
    op = await h.as('op01');
  });
  after(async () => h.close());

  it('the board is warned when the next 60 days are not covered by an official schedule', async () => {
    const r = await op('GET', '/api/calendar/coverage');
    assert.equal(r.status, 200);
    assert.equal(r.body.uncovered[0], '2027-01-01');
    assert.match(r.body.warning, /2027/);
  });

  it('a supervisor loads the 2027 schedule: deadlines use it at once and the warning goes', async () => {
    now = Date.parse('2026-12-30T02:00:00Z'); // Wednesday 10:00
    op = await h.as('op01'); // a new day, a new login
    sup = await h.as('sup01');
    const dispatch = () => op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '供暖不热', dispatch: { leadUnit: 'zjj', coUnits: [] } });
    // Without 2027: Thursday 31st, Friday 1st, Monday 4th.
    assert.equal((await dispatch()).body.ticket.dueAt, '2027-01-04T02:00:00.000Z');
    const put = await sup('PUT', '/api/calendar/schedules/2027', SCHEDULE_2027);
    assert.equal(put.status, 200);
    // With New Year's Day off: Thursday 31st, Monday 4th, Tuesday 5th.
    assert.equal((await dispatch()).body.ticket.dueAt, '2027-01-05T02:00:00.000Z');
    assert.equal((await op('GET', '/api/calendar/coverage')).body.warning, null);
  });

  it('a malformed schedule is refused with the reason and nothing is stored', async () => {
    const r = await sup('PUT', '/api/calendar/schedules/2028', { year: 2028, holidays: 'none' });
    assert.equal(r.status, 400);
    assert.equal(await h.db('calendar_schedules').where({ year: 2028 }).first(), undefined);
    assert.equal((await sup('PUT', '/api/calendar/schedules/2028', { ...SCHEDULE_2027 })).status, 400, 'year in the path and in the file differ');
    assert.equal((await op('PUT', '/api/calendar/schedules/2028', { ...SCHEDULE_2027, year: 2028 })).status, 403);
  });
});

describe('clock settings from the configuration', function () {
  it('working hours and the acknowledge deadline follow WORKING_HOURS and ACK_WORKING_HOURS', async () => {
    const h = await startTestHotline({
      now: () => new Date('2026-11-23T09:30:00Z'), // Monday 17:30 Beijing
      env: { SCHEDULER_INTERVAL_MS: '0', WORKING_HOURS: '09:00-18:00', ACK_WORKING_HOURS: '1' },
    });
    try {
      const op = await h.as('op01');
      const t = (await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '路灯', dispatch: { leadUnit: 'cgj', coUnits: [] } })).body.ticket;
      // Half an hour left on Monday, half an hour on Tuesday morning.
      assert.equal(t.ackDueAt, '2026-11-24T01:30:00.000Z');
    } finally {
      await h.close();
    }
  });
});
