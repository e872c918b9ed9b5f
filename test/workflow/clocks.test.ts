import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseYearSchedule } from '../../workflow/calendar';
import { alarmsFor, clockStateOfTicket, ClockedTicket, computeClocks, defaultClockPolicy, dueAlarms, parseClockPolicy, TicketClocks } from '../../workflow/clocks';
import { InvalidInput } from '../../workflow/errors';
import { runSlaCli } from '../../server/cli/sla';
import { UrgencyClass } from '../../workflow/types';

const policy = defaultClockPolicy();
const local = (iso: string | null) => (iso === null ? null : policy.calendar.format(new Date(iso)));

function clocks(dispatchedAt: string, urgency: UrgencyClass, p = policy) {
  const c = computeClocks({ dispatchedAt, urgency }, p);
  return { ...c, ack: local(c.ackDueAt), feedback: local(c.feedbackDueAt), due: local(c.dueAt), start: local(c.clockStartAt) };
}

describe('ticket clocks', () => {
  describe('close deadline in working days', () => {
    it('3 working days across a weekend: Thursday 10:00 is due Tuesday 10:00', () => {
      assert.equal(clocks('2026-11-19T10:00:00+08:00', 'general').due, '2026-11-24T10:00:00+08:00');
    });

    it('5 working days for a complex matter: Monday 09:15 is due next Monday 09:15', () => {
      assert.equal(clocks('2026-11-23T09:15:00+08:00', 'complex').due, '2026-11-30T09:15:00+08:00');
    });

    it('across a statutory holiday: dispatched Thursday before Labour Day (1–5 May), due Friday 8 May', () => {
      // 6 May is the 1st working day after 30 April, 7 May the 2nd, 8 May the 3rd.
      assert.equal(clocks('2026-04-30T10:00:00+08:00', 'general').due, '2026-05-08T10:00:00+08:00');
    });

    it('landing on a make-up Saturday (调休上班): a complex matter before Labour Day counts Saturday 9 May', () => {
      // 6, 7, 8, 9 (Saturday worked), 11 May.
      assert.equal(clocks('2026-04-30T10:00:00+08:00', 'complex').due, '2026-05-11T10:00:00+08:00');
    });

    it('3 working days from 17:29 on the eve of National Day falls on the make-up Saturday 10 October at 17:29', () => {
      // chinese-days 2026: 1–7 October off; 8 (Thu) is the 1st working day, 9 (Fri) the 2nd, 10 (Sat, 调休上班) the 3rd.
      const c = clocks('2026-09-30T17:29:00+08:00', 'general');
      assert.equal(c.start, '2026-09-30T17:29:00+08:00'); // one minute before the end of the working day: inside working hours
      assert.equal(c.due, '2026-10-10T17:29:00+08:00');
      assert.equal(c.dueAt, '2026-10-10T09:29:00.000Z'); // stored in UTC
      assert.deepEqual(c.uncoveredDays, []);
    });

    it('a make-up Sunday counts: Thursday 17 September is due Monday 21 September, Sunday 20 being worked', () => {
      assert.equal(clocks('2026-09-17T10:00:00+08:00', 'general').due, '2026-09-21T10:00:00+08:00');
    });

    it('a dispatch on Sunday counts from Monday 08:30', () => {
      const c = clocks('2026-11-22T10:00:00+08:00', 'general');
      assert.equal(c.start, '2026-11-23T08:30:00+08:00');
      assert.equal(c.due, '2026-11-26T08:30:00+08:00');
    });

    it('a dispatch at 22:00 counts from 08:30 the next working day', () => {
      const c = clocks('2026-11-23T22:00:00+08:00', 'general');
      assert.equal(c.start, '2026-11-24T08:30:00+08:00');
      assert.equal(c.due, '2026-11-27T08:30:00+08:00');
    });

    it('a dispatch at lunch time counts from 13:30', () => {
      const c = clocks('2026-11-23T12:15:00+08:00', 'general');
      assert.equal(c.start, '2026-11-23T13:30:00+08:00');
      assert.equal(c.due, '2026-11-26T13:30:00+08:00');
    });

    it('a dispatch at 17:30 sharp is after working hours; one at 08:30 sharp is within them', () => {
      assert.equal(clocks('2026-11-23T17:30:00+08:00', 'general').start, '2026-11-24T08:30:00+08:00');
      assert.equal(clocks('2026-11-23T08:30:00+08:00', 'general').start, '2026-11-23T08:30:00+08:00');
    });

    it('a dispatch on the evening before a holiday counts from the first working morning after it', () => {
      // Friday 18 June 2026 19:00, Dragon Boat Festival 19–21 June: counts from Monday 22 June 08:30.
      const c = clocks('2026-06-18T19:00:00+08:00', 'general');
      assert.equal(c.start, '2026-06-22T08:30:00+08:00');
      assert.equal(c.due, '2026-06-25T08:30:00+08:00');
    });

    it('the dispatch time is kept as it was; only the working-time clocks start later', () => {
      const c = clocks('2026-11-22T10:00:00+08:00', 'general');
      assert.equal(c.dispatchedAt, '2026-11-22T02:00:00.000Z');
    });
  });

  describe('emergency clocks run on the wall clock', () => {
    it('an emergency on a holiday night: facts and feedback due one hour later, 24×7', () => {
      const c = clocks('2026-10-01T23:30:00+08:00', 'emergency');
      assert.equal(c.feedback, '2026-10-02T00:30:00+08:00');
      assert.equal(c.ack, '2026-10-01T23:45:00+08:00'); // acknowledge within 15 minutes
    });

    it('an emergency is closed within 3 working days, counted like a general matter', () => {
      // Start 8 October 08:30 (first working morning after the holiday): 9, 10 (Saturday worked), 12 October.
      assert.equal(clocks('2026-10-01T23:30:00+08:00', 'emergency').due, '2026-10-12T08:30:00+08:00');
    });

    it('only emergencies have a feedback deadline', () => {
      assert.equal(clocks('2026-11-23T10:00:00+08:00', 'general').feedbackDueAt, null);
      assert.equal(clocks('2026-11-23T10:00:00+08:00', 'complex').feedbackDueAt, null);
    });
  });

  describe('acknowledge deadline in working hours', () => {
    it('2 working hours from 11:00 run across lunch to 14:30', () => {
      assert.equal(clocks('2026-11-23T11:00:00+08:00', 'general').ack, '2026-11-23T14:30:00+08:00');
    });

    it('2 working hours from 17:00 run overnight to 10:00 the next morning', () => {
      assert.equal(clocks('2026-11-23T17:00:00+08:00', 'general').ack, '2026-11-24T10:00:00+08:00');
    });

    it('2 working hours from 17:29 on the eve of National Day run to 10:29 on 8 October', () => {
      assert.equal(clocks('2026-09-30T17:29:00+08:00', 'general').ack, '2026-10-08T10:29:00+08:00');
    });

    it('2 working hours from 10:00 that end exactly at noon are due at 12:00', () => {
      assert.equal(clocks('2026-11-23T10:00:00+08:00', 'general').ack, '2026-11-23T12:00:00+08:00');
    });

    it('the acknowledge deadline is configurable', () => {
      const p = parseClockPolicy({ ackWorkingHours: 4 });
      assert.equal(clocks('2026-11-23T11:00:00+08:00', 'general', p).ack, '2026-11-23T16:30:00+08:00');
    });
  });

  describe('official schedules and coverage', () => {
    it('a loaded 2027 schedule moves a deadline across New Year', () => {
      // Wednesday 30 December 2026, 10:00. Without a 2027 schedule, Friday 1 January counts as a
      // working day (Monday–Friday assumed) and the deadline is provisional.
      const before = clocks('2026-12-30T10:00:00+08:00', 'general');
      assert.equal(before.due, '2027-01-04T10:00:00+08:00');
      assert.deepEqual(before.uncoveredDays, ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04']);
      // A test fixture (not the official 2027 notice): New Year's Day off.
      const schedule = parseYearSchedule({ year: 2027, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }] });
      const after = clocks('2026-12-30T10:00:00+08:00', 'general', defaultClockPolicy([schedule]));
      assert.equal(after.due, '2027-01-05T10:00:00+08:00');
      assert.deepEqual(after.uncoveredDays, []);
    });
  });

  describe('bad input changes nothing and says why', () => {
    it('an invalid dispatch time or an unknown urgency is an input error', () => {
      assert.throws(() => computeClocks({ dispatchedAt: 'yesterday', urgency: 'general' }, policy), InvalidInput);
      assert.throws(() => computeClocks({ dispatchedAt: '2026-11-23T10:00:00Z', urgency: 'urgent' as UrgencyClass }, policy), /未知的紧急程度/);
    });

    it('a bad configuration is refused with every problem listed', () => {
      assert.throws(
        () => parseClockPolicy({ warningShare: 1.5, ackWorkingHours: 0, timeZone: 'Mars/Base' }),
        (e: unknown) => {
          assert.ok(e instanceof InvalidInput);
          assert.match(e.message, /warningShare/);
          assert.match(e.message, /ackWorkingHours/);
          assert.match(e.message, /timeZone：未知的时区/);
          return true;
        },
      );
      assert.throws(() => parseClockPolicy({ ackHours: 2 }), /ackHours/);
      assert.throws(() => parseClockPolicy({ emergencyAckMinutes: 90, emergencyFeedbackMinutes: 60 }), /签收时限不能晚于反馈时限/);
    });

    it('the defaults are the city’s rules', () => {
      const p = parseClockPolicy();
      assert.equal(p.timeZone, 'Asia/Shanghai');
      assert.equal(p.ackWorkingHours, 2);
      assert.equal(p.emergencyFeedbackMinutes, 60);
      assert.deepEqual(p.closeWorkingDays, { emergency: 3, general: 3, complex: 5 });
      assert.equal(p.warningShare, 0.75);
    });
  });
});

describe('clock alarms', () => {
  const general: TicketClocks = computeClocks({ dispatchedAt: '2026-11-23T08:30:00+08:00', urgency: 'general' }, policy);

  it('each clock warns at 75 % of its working time and breaches at due', () => {
    const alarms = alarmsFor(general, policy).map((a) => `${a.clock} ${a.level} ${local(a.at)}`);
    assert.deepEqual(alarms, [
      // ack: 2 working hours from 08:30 → due 10:30; 75 % = 1 h 30 min → 10:00.
      'ack warning 2026-11-23T10:00:00+08:00',
      'ack breach 2026-11-23T10:30:00+08:00',
      // close: Monday 08:30 → Thursday 08:30 = 3 × 7.5 = 22.5 working hours; 75 % = 16.875 h
      // = Monday 7.5 + Tuesday 7.5 + 1.875 h on Wednesday from 08:30 → 10:22:30.
      'close warning 2026-11-25T10:22:30+08:00',
      'close breach 2026-11-26T08:30:00+08:00',
    ]);
  });

  it('the warning share is configurable', () => {
    const p = parseClockPolicy({ warningShare: 0.5 });
    const ack = alarmsFor(general, p).find((a) => a.clock === 'ack' && a.level === 'warning')!;
    assert.equal(local(ack.at), '2026-11-23T09:30:00+08:00');
  });

  it('emergency warnings run on the wall clock: the feedback warning at 45 minutes', () => {
    const c = computeClocks({ dispatchedAt: '2026-10-01T23:30:00+08:00', urgency: 'emergency' }, policy);
    const feedback = alarmsFor(c, policy).filter((a) => a.clock === 'feedback').map((a) => `${a.level} ${local(a.at)}`);
    assert.deepEqual(feedback, ['warning 2026-10-02T00:15:00+08:00', 'breach 2026-10-02T00:30:00+08:00']);
  });

  it('a re-dispatch to another unit gives new keys even when the deadlines come out the same', () => {
    // Friday 22:00 and 23:30 both count from Monday 08:30: same deadlines, a new unit.
    const first = computeClocks({ dispatchedAt: '2026-11-27T22:00:00+08:00', urgency: 'general' }, policy);
    const again = computeClocks({ dispatchedAt: '2026-11-27T23:30:00+08:00', urgency: 'general' }, policy);
    assert.equal(again.dueAt, first.dueAt);
    const fired = alarmsFor(first, policy).map((a) => a.key);
    assert.equal(dueAlarms({ alarms: alarmsFor(again, policy) }, fired, new Date('2026-12-03T00:00:00+08:00')).length, 2);
  });

  it('an approved extension gives new alarms with new keys, so they fire again before the new deadline', () => {
    const extended = { ...general, dueAt: new Date('2026-11-30T17:30:00+08:00').toISOString() };
    const before = alarmsFor(general, policy).filter((a) => a.clock === 'close');
    const after = alarmsFor(extended, policy).filter((a) => a.clock === 'close');
    assert.equal(after[1]!.at, extended.dueAt);
    for (const a of after) assert.ok(!before.some((b) => b.key === a.key));
  });

  describe('what is due now', () => {
    const alarms = alarmsFor(general, policy);
    const at = (iso: string) => new Date(iso);

    it('nothing is due before the first warning', () => {
      assert.deepEqual(dueAlarms({ alarms }, [], at('2026-11-23T09:59:59+08:00')), []);
    });

    it('the acknowledge warning is due at 10:00 and fires once', () => {
      const now = at('2026-11-23T10:00:00+08:00');
      const due = dueAlarms({ alarms }, [], now);
      assert.deepEqual(due.map((a) => a.key), [`ack:warning:${general.dispatchedAt}:${general.ackDueAt}`]);
      assert.deepEqual(dueAlarms({ alarms }, due.map((a) => a.key), now), []);
    });

    it('a unit that acknowledged in time gets neither warning nor breach for it', () => {
      const state = { alarms, stoppedAt: { ack: '2026-11-23T01:50:00.000Z' } }; // 09:50 Beijing
      assert.deepEqual(dueAlarms(state, [], at('2026-11-23T11:00:00+08:00')), []);
    });

    it('a scheduler catching up after a restart fires the breach alone, not the stale warning', () => {
      const due = dueAlarms({ alarms }, [], at('2026-11-23T11:00:00+08:00'));
      assert.deepEqual(due.map((a) => `${a.clock} ${a.level}`), ['ack breach']);
    });

    it('a breach that happened while the scheduler was down is still recorded after a late acknowledgement', () => {
      const state = { alarms, stoppedAt: { ack: '2026-11-23T02:45:00.000Z' } }; // acknowledged 10:45, due 10:30
      assert.deepEqual(dueAlarms(state, [], at('2026-11-23T11:00:00+08:00')).map((a) => a.key), [`ack:breach:${general.dispatchedAt}:${general.ackDueAt}`]);
    });

    it('after everything has fired nothing fires twice', () => {
      const now = at('2026-11-27T00:00:00+08:00');
      const first = dueAlarms({ alarms }, [], now);
      assert.deepEqual(first.map((a) => `${a.clock} ${a.level}`), ['ack breach', 'close breach']);
      assert.deepEqual(dueAlarms({ alarms }, new Set(first.map((a) => a.key)), now), []);
    });

    it('the close clock stops at the accepted reply', () => {
      const state = { alarms, stoppedAt: { ack: '2026-11-23T01:00:00.000Z', close: '2026-11-25T06:00:00.000Z' } };
      assert.deepEqual(dueAlarms(state, [], at('2026-11-27T00:00:00+08:00')), []);
    });
  });
});

describe('clocks of a stored ticket', () => {
  const dispatched: ClockedTicket = {
    status: 'dispatched',
    urgency: 'general',
    dispatchedAt: '2026-11-23T01:00:00.000Z', // Monday 09:00
    ackDueAt: '2026-11-23T03:00:00.000Z', // 11:00
    feedbackDueAt: null,
    dueAt: '2026-11-26T01:00:00.000Z', // Thursday 09:00
    acknowledgedAt: null,
    feedbackAt: null,
    repliedAt: null,
    closedAt: null,
    updatedAt: '2026-11-23T01:00:00.000Z',
  };
  const now = new Date('2026-11-23T12:00:00+08:00');

  it('a ticket never dispatched has no clocks', () => {
    assert.equal(clockStateOfTicket({ ...dispatched, status: 'accepted', dispatchedAt: null, ackDueAt: null, dueAt: null }, policy), null);
  });

  it('an unacknowledged ticket past its acknowledge deadline is in breach', () => {
    const state = clockStateOfTicket(dispatched, policy)!;
    assert.equal(state.clocks.clockStartAt, dispatched.dispatchedAt);
    assert.deepEqual(dueAlarms(state, [], now).map((a) => `${a.clock} ${a.level}`), ['ack breach']);
  });

  it('an approved extension stored on the ticket is the deadline its alarms use', () => {
    const extended = { ...dispatched, status: 'acknowledged' as const, acknowledgedAt: '2026-11-23T02:00:00.000Z', dueAt: '2026-12-01T09:30:00.000Z' };
    const state = clockStateOfTicket(extended, policy)!;
    assert.equal(state.alarms.find((a) => a.clock === 'close' && a.level === 'breach')!.at, '2026-12-01T09:30:00.000Z');
    assert.deepEqual(dueAlarms(state, [], new Date('2026-11-27T12:00:00+08:00')), []);
  });

  it('while the ticket sits returned at the center, the unit’s clocks do not fire', () => {
    const returned = { ...dispatched, status: 'returned' as const, updatedAt: '2026-11-23T01:30:00.000Z' };
    assert.deepEqual(dueAlarms(clockStateOfTicket(returned, policy)!, [], now), []);
  });

  it('a closed ticket fires nothing more', () => {
    const closed = { ...dispatched, status: 'closed' as const, acknowledgedAt: '2026-11-23T01:10:00.000Z', repliedAt: '2026-11-24T01:00:00.000Z', closedAt: '2026-11-24T06:00:00.000Z' };
    assert.deepEqual(dueAlarms(clockStateOfTicket(closed, policy)!, [], new Date('2026-12-31T00:00:00Z')), []);
  });
});

describe('hotline sla (the contract for checking deadlines from outside)', () => {
  async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSlaCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, { now: () => new Date('2026-11-23T02:00:00Z') });
    return { code, out, err, last: out[out.length - 1] };
  }

  it('sla due --from 2026-09-30T17:29:00+08:00 --class general prints 2026-10-10T17:29:00+08:00 on its last line', async () => {
    const r = await run('due', '--from', '2026-09-30T17:29:00+08:00', '--class', 'general');
    assert.equal(r.code, 0);
    assert.deepEqual(r.err, []);
    assert.equal(r.last, '2026-10-10T17:29:00+08:00');
  });

  it('the same instant given in UTC gives the same deadline, shown with the city’s offset', async () => {
    const r = await run('due', '--from=2026-09-30T09:29:00Z', '--class=general');
    assert.equal(r.last, '2026-10-10T17:29:00+08:00');
  });

  it('a time without an offset is read as Beijing time', async () => {
    // 5 working days: 8, 9, 10 (Saturday worked), 12, 13 October.
    assert.equal((await run('due', '--from', '2026-09-30T17:29', '--class', 'complex')).last, '2026-10-13T17:29:00+08:00');
  });

  it('for an emergency the due time is the one-hour feedback deadline, on the wall clock', async () => {
    const r = await run('due', '--from', '2026-10-01T23:30:00+08:00', '--class', 'emergency');
    assert.equal(r.last, '2026-10-02T00:30:00+08:00');
    assert.ok(r.out.some((l) => l === '办结期限：2026-10-12T08:30:00+08:00（3 个工作日）'));
  });

  it('a deadline on days no schedule covers says it is provisional', async () => {
    const r = await run('due', '--from', '2026-12-30T10:00:00+08:00', '--class', 'general');
    assert.equal(r.last, '2027-01-04T10:00:00+08:00');
    assert.ok(r.out.some((l) => l.includes('尚无国务院节假日安排') && l.includes('2027-01-01')));
  });

  it('a year schedule file in the city’s calendar folder changes the result', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sla-city-'));
    try {
      fs.mkdirSync(path.join(dir, 'calendar'));
      // A test fixture, not the official 2027 notice: New Year's Day off.
      fs.writeFileSync(path.join(dir, 'calendar', '2027.json'), JSON.stringify({ year: 2027, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }] }));
      const r = await run('due', '--from', '2026-12-30T10:00:00+08:00', '--class', 'general', '--city-dir', dir);
      assert.equal(r.last, '2027-01-05T10:00:00+08:00');
      assert.equal((await run('coverage', '--from', '2026-11-23', '--city-dir', dir)).code, 0);
      fs.writeFileSync(path.join(dir, 'calendar', '2028.json'), JSON.stringify({ year: 2027, holidays: [] }));
      const bad = await run('due', '--from', '2026-12-30T10:00:00+08:00', '--class', 'general', '--city-dir', dir);
      assert.equal(bad.code, 2);
      assert.match(bad.err.join(), /2028\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad arguments get a clear message and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['due', '--from', '2026-09-30T17:29:00+08:00'], /缺少 --class/],
      [['due', '--class', 'general'], /缺少 --from/],
      [['due', '--from', '2026-09-30T17:29:00+08:00', '--class', 'urgent'], /--class 须为 emergency、general、complex 之一/],
      [['due', '--from', '2026-02-30T10:00', '--class', 'general'], /时间格式无效/],
      [['due', '--from', 'tomorrow', '--class', 'general'], /时间格式无效/],
      [['due', '--from', '2026-09-30T17:29:00+08:00', '--class', 'general', '--speed', 'fast'], /未知的参数 --speed/],
      [['due', '--from'], /--from 缺少取值/],
      [['coverage', '--days', '-3'], /--days/],
      [['check-calendar'], /check-calendar <文件>/],
      [['expire'], /未知的子命令：expire/],
      [[], /缺少子命令/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err.join('\n'), message, args.join(' '));
      assert.deepEqual(r.out, [], args.join(' '));
    }
  });

  it('sla coverage lists the uncovered days of the next 60 and exits 1', async () => {
    const r = await run('coverage');
    assert.equal(r.code, 1);
    assert.equal(r.out.filter((l) => /^2027-01-\d\d$/.test(l)).length, 21);
  });

  it('sla check-calendar accepts the shipped 2026 schedule and refuses a malformed one', async () => {
    const ok = await run('check-calendar', path.resolve(__dirname, '../../city/demo/calendar/2026.json'));
    assert.equal(ok.code, 0);
    assert.match(ok.out[0]!, /2026 年节假日安排有效：7 个节日共放假 33 天，调休上班 6 天/);
    const file = path.join(os.tmpdir(), `sla-bad-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify({ year: 2027, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }], makeupWorkdays: [{ name: '元旦', date: '2027-01-05' }] }));
    try {
      const bad = await run('check-calendar', file);
      assert.equal(bad.code, 2);
      assert.match(bad.err.join(), /调休上班日 2027-01-05 不是周六或周日/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
