import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { coverageWarning, WorkingCalendar, parseYearSchedule, PACKAGE_YEARS } from '../../workflow/calendar';
import { InvalidInput } from '../../workflow/errors';

const repoRoot = path.resolve(__dirname, '../..');
const demo2026 = fs.readFileSync(path.join(repoRoot, 'city/demo/calendar/2026.json'), 'utf8');

/**
 * A test fixture, NOT the official 2027 schedule (the State Council has not published
 * it): only New Year's Day, which the statutory holiday rules fix on 1 January.
 */
const newYear2027Only = JSON.stringify({
  year: 2027,
  title: 'test fixture: New Year’s Day only',
  holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }],
  makeupWorkdays: [],
});

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidInput, `expected InvalidInput, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('working calendar', () => {
  describe('the chinese-days package', () => {
    it('has the official 2026 National Day schedule: 1–7 October off, Sunday 20 September and Saturday 10 October worked', () => {
      const cal = new WorkingCalendar();
      for (let d = 1; d <= 7; d++) {
        const info = cal.dayInfo(`2026-10-0${d}`);
        assert.equal(info.working, false, `2026-10-0${d}`);
        assert.equal(info.name, '国庆节');
        assert.equal(info.source, 'package');
      }
      assert.equal(cal.isWorkingDay('2026-09-20'), true); // Sunday, 调休上班
      assert.equal(cal.isWorkingDay('2026-10-10'), true); // Saturday, 调休上班
      assert.equal(cal.isWorkingDay('2026-10-11'), false); // ordinary Sunday
      assert.equal(cal.isWorkingDay('2026-10-08'), true);
      assert.equal(cal.isWorkingDay('2026-09-30'), true);
    });

    it('covers the years up to 2026 and not 2027', () => {
      assert.ok(PACKAGE_YEARS.has(2026));
      assert.ok(PACKAGE_YEARS.has(2025));
      assert.ok(!PACKAGE_YEARS.has(2027));
    });
  });

  describe('working days', () => {
    const cal = new WorkingCalendar();

    it('a weekday is a working day and a weekend day is not', () => {
      assert.equal(cal.isWorkingDay('2026-11-23'), true); // Monday
      assert.equal(cal.isWorkingDay('2026-11-21'), false); // Saturday
      assert.equal(cal.isWorkingDay('2026-11-22'), false); // Sunday
    });

    it('a statutory holiday on a weekday is not a working day', () => {
      assert.equal(cal.isWorkingDay('2026-05-05'), false); // Tuesday, 劳动节
      assert.equal(cal.isWorkingDay('2026-06-19'), false); // Friday, 端午节
    });

    it('a make-up Saturday (调休上班) is a working day', () => {
      assert.equal(cal.isWorkingDay('2026-05-09'), true);
      assert.equal(cal.dayInfo('2026-05-09').name, '劳动节');
    });

    it('an instant is judged by its date in the city’s time zone, not in UTC', () => {
      // 2026-09-30T16:30Z is 00:30 on 1 October in Beijing: National Day.
      assert.equal(cal.isWorkingDay(new Date('2026-09-30T16:30:00Z')), false);
      assert.equal(cal.localDate(new Date('2026-09-30T16:30:00Z')), '2026-10-01');
    });

    it('refuses a date that does not exist', () => {
      refused(() => cal.isWorkingDay('2026-02-30'), /YYYY-MM-DD/);
    });
  });

  describe('official year schedules loaded as data', () => {
    it('the shipped 2026 schedule agrees with the package on every day of 2026', () => {
      const fromFile = new WorkingCalendar({ schedules: [parseYearSchedule(demo2026)], usePackage: false });
      const fromPackage = new WorkingCalendar();
      for (let t = Date.UTC(2026, 0, 1); t <= Date.UTC(2026, 11, 31); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        assert.equal(fromFile.isWorkingDay(day), fromPackage.isWorkingDay(day), day);
        assert.equal(fromFile.dayInfo(day).source, 'schedule');
      }
    });

    it('a loaded schedule overrides the package for its year', () => {
      // Suppose a corrected notice moved the make-up day of 10 October away.
      const corrected = parseYearSchedule({
        ...JSON.parse(demo2026),
        makeupWorkdays: JSON.parse(demo2026).makeupWorkdays.filter((w: { date: string }) => w.date !== '2026-10-10'),
      });
      const cal = new WorkingCalendar({ schedules: [corrected] });
      assert.equal(cal.isWorkingDay('2026-10-10'), false);
      assert.equal(cal.dayInfo('2026-10-10').source, 'schedule');
      assert.equal(new WorkingCalendar().isWorkingDay('2026-10-10'), true);
    });

    it('a loaded 2027 schedule makes New Year’s Day 2027 a holiday', () => {
      const without = new WorkingCalendar();
      const withFile = new WorkingCalendar({ schedules: [parseYearSchedule(newYear2027Only)] });
      assert.deepEqual(without.dayInfo('2027-01-01'), { date: '2027-01-01', working: true, source: 'uncovered', name: null });
      assert.deepEqual(withFile.dayInfo('2027-01-01'), { date: '2027-01-01', working: false, source: 'schedule', name: '元旦' });
    });

    it('a file that is not JSON is refused', () => {
      refused(() => parseYearSchedule('{"year": 2027,'), /不是合法的 JSON/);
    });

    it('a schedule without a year is refused', () => {
      refused(() => parseYearSchedule({ holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }] }), /year/);
    });

    it('a date that does not exist is refused', () => {
      refused(
        () => parseYearSchedule({ year: 2027, holidays: [{ name: '春节', from: '2027-02-05', to: '2027-02-30' }] }),
        /holidays\.0\.to：日期须为真实存在的 YYYY-MM-DD/,
      );
    });

    it('a make-up workday that is not a Saturday or Sunday is refused', () => {
      refused(
        () =>
          parseYearSchedule({
            year: 2027,
            holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }],
            makeupWorkdays: [{ name: '元旦', date: '2027-01-04' }],
          }),
        /调休上班日 2027-01-04 不是周六或周日/,
      );
    });

    it('a holiday that ends before it starts, or lies in another year, is refused', () => {
      refused(() => parseYearSchedule({ year: 2027, holidays: [{ name: '国庆节', from: '2027-10-07', to: '2027-10-01' }] }), /结束日期早于开始日期/);
      refused(() => parseYearSchedule({ year: 2027, holidays: [{ name: '国庆节', from: '2026-10-01', to: '2026-10-07' }] }), /不在 2027 年内/);
    });

    it('a day both off and worked is refused', () => {
      refused(
        () =>
          parseYearSchedule({
            year: 2027,
            holidays: [{ name: '国庆节', from: '2027-10-01', to: '2027-10-09' }],
            makeupWorkdays: [{ name: '国庆节', date: '2027-10-09' }],
          }),
        /既是放假日又是上班日/,
      );
    });

    it('unknown fields are refused rather than ignored', () => {
      refused(() => parseYearSchedule({ year: 2027, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }], workdays: [] }), /workdays/);
    });

    it('the same year loaded twice is refused', () => {
      const s = parseYearSchedule(newYear2027Only);
      refused(() => new WorkingCalendar({ schedules: [s, s] }), /2027 年的节假日安排重复加载/);
    });
  });

  describe('coverage', () => {
    it('reports the days of the next 60 that no schedule covers', () => {
      const cal = new WorkingCalendar();
      const gaps = cal.coverage('2026-11-23', 60);
      // 23 Nov 2026 + 60 days = up to 21 Jan 2027: all of 1–21 January 2027 is uncovered.
      assert.equal(gaps.length, 21);
      assert.equal(gaps[0], '2027-01-01');
      assert.equal(gaps[20], '2027-01-21');
    });

    it('the supervisors’ board warns in Chinese, and is silent once covered', () => {
      const now = new Date('2026-11-23T02:00:00Z');
      assert.equal(
        coverageWarning(new WorkingCalendar(), now),
        '未来 60 天中有 21 天（2027-01-01 起）尚无国务院节假日安排，期限暂按周一至周五计算。请加载 2027 年的节假日安排。',
      );
      assert.equal(coverageWarning(new WorkingCalendar(), new Date('2026-06-01T02:00:00Z')), null);
    });

    it('is empty once the next year’s schedule is loaded', () => {
      const cal = new WorkingCalendar({ schedules: [parseYearSchedule(newYear2027Only)] });
      assert.deepEqual(cal.coverage(new Date('2026-11-23T02:00:00Z'), 60), []);
    });

    it('is empty inside a covered year', () => {
      assert.deepEqual(new WorkingCalendar().coverage('2026-01-01', 365), []);
    });

    it('refuses a negative number of days', () => {
      refused(() => new WorkingCalendar().coverage('2026-11-23', -1), /天数/);
    });
  });

  describe('working hours', () => {
    it('default to 08:30–12:00 and 13:30–17:30 in Asia/Shanghai', () => {
      const cal = new WorkingCalendar();
      assert.equal(cal.timeZone, 'Asia/Shanghai');
      assert.deepEqual(cal.workingHours, [
        { start: '08:30', end: '12:00' },
        { start: '13:30', end: '17:30' },
      ]);
      // A working day holds 7.5 working hours.
      const day = cal.workingTimeBetween(new Date('2026-11-23T00:00:00+08:00'), new Date('2026-11-24T00:00:00+08:00'));
      assert.equal(day, 7.5 * 3_600_000);
    });

    it('can be configured', () => {
      const cal = new WorkingCalendar({ workingHours: [{ start: '09:00', end: '17:00' }] });
      assert.equal(cal.format(cal.workingStartAtOrAfter(new Date('2026-11-23T08:40:00+08:00'))), '2026-11-23T09:00:00+08:00');
      assert.equal(cal.format(cal.addWorkingTime(new Date('2026-11-23T16:00:00+08:00'), 2 * 3_600_000)), '2026-11-24T10:00:00+08:00');
    });

    it('overlapping or reversed periods are refused', () => {
      refused(() => new WorkingCalendar({ workingHours: [{ start: '12:00', end: '08:30' }] }), /结束时间须晚于开始时间/);
      refused(
        () => new WorkingCalendar({ workingHours: [{ start: '08:30', end: '12:00' }, { start: '11:00', end: '17:30' }] }),
        /不重叠/,
      );
      refused(() => new WorkingCalendar({ workingHours: [{ start: '8:30', end: '12:00' }] }), /HH:MM/);
    });

    it('local time of day is kept across a zone’s daylight-saving change (the zone is configuration)', () => {
      // Europe/Berlin moves from +01:00 to +02:00 on 29 March 2026.
      const cal = new WorkingCalendar({ timeZone: 'Europe/Berlin' });
      const due = cal.addWorkingDays(new Date('2026-03-27T10:00:00+01:00'), 3);
      assert.equal(cal.format(due), '2026-04-01T10:00:00+02:00');
    });

    it('an unknown time zone is refused', () => {
      refused(() => new WorkingCalendar({ timeZone: 'Asia/Beijing' }), /未知的时区/);
    });
  });
});
