// Configuration, prompts and the phone directory: what the IVR needs before the first call.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ZodError } from 'zod';
import { parseIvrConfig } from '../../ivr/config';
import { directoryXml, sipPassword, usersFromTemplates } from '../../ivr/freeswitch/directory';
import { isCallingTime, isWorkingTime as isWorkingTimeOn, localParts } from '../../ivr/hours';
import { WorkingCalendar } from '../../workflow/calendar';
import { PROMPTS, promptFile } from '../../ivr/prompts';
import { mayHearRecordings } from '../../ivr/recordings';

const base = { FREESWITCH_ESL: '127.0.0.1:8021:s3cret-pass' };

describe('IVR set-up', () => {
  it('reads FREESWITCH_ESL as host:port:password and the rest with defaults', () => {
    const c = parseIvrConfig(base);
    assert.deepEqual(c.esl, { host: '127.0.0.1', port: 8021, password: 's3cret-pass' });
    assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8084 });
    assert.equal(c.queue, 'hotline');
    assert.equal(c.survey.maxConcurrent, 4);
  });

  it('refuses a missing ESL address, the default password ClueCon and a dial string without {phone}', () => {
    assert.throws(() => parseIvrConfig({}), ZodError);
    assert.throws(() => parseIvrConfig({ FREESWITCH_ESL: '127.0.0.1:8021:ClueCon' }), /ClueCon/);
    assert.throws(() => parseIvrConfig({ ...base, SURVEY_DIAL: 'sofia/gateway/carrier/138' }), ZodError);
    assert.throws(() => parseIvrConfig({ ...base, IVR_WORKING_HOURS: '8-17' }), ZodError);
  });

  it('working hours follow the PRC calendar: a make-up Saturday is a working day, National Day is not', () => {
    const tz = 'Asia/Shanghai';
    const calendar = new WorkingCalendar();
    const isWorkingTime = (at: Date, range: string, timeZone: string) => isWorkingTimeOn(at, range, timeZone, (d) => calendar.isWorkingDay(d));
    assert.equal(isWorkingTime(new Date('2026-11-23T02:00:00Z'), '08:30-17:30', tz), true); // Monday 10:00
    assert.equal(isWorkingTime(new Date('2026-11-23T10:00:00Z'), '08:30-17:30', tz), false); // Monday 18:00
    assert.equal(isWorkingTime(new Date('2026-10-01T02:00:00Z'), '08:30-17:30', tz), false); // National Day
    assert.equal(isWorkingTime(new Date('2026-11-22T02:00:00Z'), '08:30-17:30', tz), false); // Sunday
    assert.equal(isWorkingTime(new Date('2026-10-10T02:00:00Z'), '08:30-17:30', tz), true); // make-up Saturday after National Day
    assert.equal(isCallingTime(new Date('2026-11-22T02:00:00Z'), '09:00-20:00', tz), true); // surveys on Sunday 10:00
  });

  it('local time parts are remembered for the last minute asked, and always agree with the time zone database', () => {
    const fresh = (at: Date, timeZone: string) => {
      const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
        timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      }).formatToParts(at).map((x) => [x.type, x.value]));
      return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
    };
    // Every 7 s across midnight in Shanghai, across a DST change in New York and Lord Howe (30 min), Kathmandu (+5:45), and back in time.
    const cases: [string, string][] = [['Asia/Shanghai', '2026-11-22T15:55:00Z'], ['America/New_York', '2026-11-01T05:50:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:50:00Z'], ['Asia/Kathmandu', '2026-11-22T18:10:00Z'], ['Asia/Shanghai', '1900-01-01T00:00:00Z']];
    for (const [tz, from] of cases) {
      for (let t = Date.parse(from), i = 0; i < 120; i++, t += 7_000) {
        const at = new Date(t);
        assert.deepEqual(localParts(at, tz), fresh(at, tz), `${tz} ${at.toISOString()}`);
        localParts(at, tz).minutes = -1; // a caller changing its answer changes no one else's
        assert.deepEqual(localParts(at, tz), fresh(at, tz), `${tz} ${at.toISOString()} (again)`);
      }
    }
  });

  it('every prompt is an 8 kHz mono 16-bit WAV file in the repository, named by purpose', () => {
    for (const key of Object.keys(PROMPTS) as (keyof typeof PROMPTS)[]) {
      const file = path.resolve(__dirname, '../../ivr/prompts', promptFile(key));
      const b = fs.readFileSync(file);
      assert.equal(b.toString('ascii', 0, 4), 'RIFF', file);
      assert.equal(b.toString('ascii', 8, 12), 'WAVE', file);
      const fmt = b.indexOf('fmt ');
      assert.equal(b.readUInt16LE(fmt + 8), 1, `${key}: PCM`);
      assert.equal(b.readUInt16LE(fmt + 10), 1, `${key}: mono`);
      assert.equal(b.readUInt32LE(fmt + 12), 8000, `${key}: 8 kHz`);
      assert.equal(b.readUInt16LE(fmt + 22), 16, `${key}: 16-bit`);
      assert.ok(b.length > 8000, `${key}: has speech`);
    }
  });

  it('the phone directory has one user per operator and supervisor, with derived passwords', () => {
    const doc = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../city/demo/users.json'), 'utf8'));
    const users = usersFromTemplates(doc);
    assert.ok(users.filter((u) => u.role === 'operator').length >= 30);
    const xml = directoryXml(users, 'a-secret-of-16-chars');
    assert.equal((xml.match(/<user id=/g) ?? []).length, users.length);
    assert.ok(xml.includes(`<param name="password" value="${sipPassword('a-secret-of-16-chars', '1001')}"/>`));
    assert.notEqual(sipPassword('a-secret-of-16-chars', '1001'), sipPassword('a-secret-of-16-chars', '1002'));
    assert.throws(() => directoryXml(users, 'short'), /16/);
    assert.throws(() => directoryXml([users[0], users[0]], 'a-secret-of-16-chars'), /重复/);
  });

  it('unit handlers may not listen to call recordings; operators, supervisors and leaders may', () => {
    assert.equal(mayHearRecordings('unit_handler'), false);
    assert.equal(mayHearRecordings('system'), false);
    assert.equal(mayHearRecordings('operator'), true);
    assert.equal(mayHearRecordings('supervisor'), true);
  });
});
