import assert from 'node:assert/strict';
import sinon from 'sinon';
import { backoffMs, Reconnector } from '../../ivr/reconnect';

describe('reconnecting a switch connection', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it('delays double up to a ceiling, with ±20 % jitter', () => {
    const b = { initialMs: 500, maxMs: 30000 };
    assert.deepEqual([1, 2, 3, 4, 10].map((n) => backoffMs(n, b, () => 0.5)), [500, 1000, 2000, 4000, 30000]);
    assert.equal(backoffMs(1, b, () => 0), 400);
    assert.equal(backoffMs(1, b, () => 1), 600);
  });

  it('connects at start, again after each failure with growing delays, from the shortest again once a session was up', () => {
    const connect = sinon.spy();
    const r = new Reconnector(connect, { initialMs: 100, maxMs: 1000 });
    r.start();
    assert.equal(connect.callCount, 1);
    r.failed();
    clock.tick(79); // the shortest delay is 100 ms less 20 % at most
    assert.equal(connect.callCount, 1);
    clock.tick(41);
    assert.equal(connect.callCount, 2);
    r.failed();
    clock.tick(159); // the second delay is 200 ms ± 20 %
    assert.equal(connect.callCount, 2);
    clock.tick(82);
    assert.equal(connect.callCount, 3);
    r.succeeded();
    r.failed();
    clock.tick(120);
    assert.equal(connect.callCount, 4);
  });

  it('after stop nothing reconnects, not even a retry already scheduled', () => {
    const connect = sinon.spy();
    const r = new Reconnector(connect, { initialMs: 100, maxMs: 1000 });
    r.start();
    r.failed();
    r.stop();
    r.failed();
    clock.tick(10_000);
    assert.equal(connect.callCount, 1);
    assert.equal(r.active, false);
  });

  it('two failures in a row schedule one reconnection, not two', () => {
    const connect = sinon.spy();
    const r = new Reconnector(connect, { initialMs: 100, maxMs: 1000 });
    r.start();
    r.failed();
    r.failed();
    clock.tick(10_000);
    assert.equal(connect.callCount, 2);
  });
});
