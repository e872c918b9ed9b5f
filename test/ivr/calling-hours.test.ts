import assert from 'node:assert/strict';
import { isCallingTime } from '../../ivr/hours';

describe('calling hours of the dialer', () => {
  it('take the same form as RETURN_VISIT_CALLING_HOURS: several periods, none at lunch or at night', () => {
    const hours = '09:00-12:00,14:00-20:00';
    const at = (local: string) => isCallingTime(new Date(`${local}+08:00`), hours, 'Asia/Shanghai');
    assert.deepEqual(
      [at('2026-11-22T09:00:00'), at('2026-11-22T12:30:00'), at('2026-11-22T14:00:00'), at('2026-11-22T20:00:00'), at('2026-11-22T03:00:00')],
      [true, false, true, false, false],
    );
  });
});
