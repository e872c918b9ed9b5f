import assert from 'node:assert/strict';
import { bulletinPeriod } from '../../workflow/bulletin';
import { InvalidInput } from '../../workflow/errors';

describe('bulletin periods', () => {
  it('the daily bulletin covers the city’s calendar day, midnight to midnight Beijing time', () => {
    const p = bulletinPeriod('daily', '2026-11-23', 'Asia/Shanghai');
    assert.deepEqual([p.from, p.to, p.days], ['2026-11-22T16:00:00.000Z', '2026-11-23T16:00:00.000Z', ['2026-11-23']]);
  });
  it('the weekly bulletin covers Monday to Sunday of the week containing the day', () => {
    const p = bulletinPeriod('weekly', '2026-11-26', 'Asia/Shanghai'); // a Thursday
    assert.deepEqual([p.days[0], p.days[6], p.from], ['2026-11-23', '2026-11-29', '2026-11-22T16:00:00.000Z']);
  });
  it('refuses a day that does not exist', () => {
    assert.throws(() => bulletinPeriod('daily', '2026-02-30', 'Asia/Shanghai'), InvalidInput);
  });
});
