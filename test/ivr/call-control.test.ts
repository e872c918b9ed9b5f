// The operator's hold, transfer and hang-up buttons act on the call through ESL.
import assert from 'node:assert/strict';
import { TelephonyError } from '../../ivr/telephony';
import { Harness, startHarness } from './harness';

describe('operator call controls', () => {
  let h: Harness;
  afterEach(async () => { await h?.close(); });

  async function answeredCall() {
    await h.tel.setAgentState('1001', { state: 'ready' });
    const call = h.fs.placeCall({ caller: '0305550123', app: h.app });
    await h.waitFor('call_answered', (e) => e.callId === call.uuid);
    return call;
  }

  it('hold and unhold put the caller on hold music and back', async () => {
    h = await startHarness();
    const call = await answeredCall();
    await h.tel.hold(call.uuid);
    assert.equal(call.held, true);
    assert.ok(h.fs.commandLog.includes(`api uuid_hold ${call.uuid}`));
    await h.tel.unhold(call.uuid);
    assert.equal(call.held, false);
    assert.ok(h.fs.commandLog.includes(`api uuid_hold off ${call.uuid}`));
  });

  it('unhold right after hold waits for the phone to accept the hold (FreeSWITCH refuses it until the call is HELD), then takes the call off hold', async () => {
    h = await startHarness({ server: { holdSettleMs: 400 } });
    const call = await answeredCall();
    await h.tel.hold(call.uuid);
    const asked = h.fs.commandLog.length;
    await h.tel.unhold(call.uuid);
    assert.equal(call.held, false);
    const offs = h.fs.commandLog.slice(asked).filter((c) => c === `api uuid_hold off ${call.uuid}`);
    assert.ok(offs.length >= 2, `asked again while the hold settled (${offs.length})`);
    // Off hold already: the switch's refusal stands once the wait is over.
    await assert.rejects(h.tel.unhold(call.uuid), (e: Error) => e instanceof TelephonyError && /Operation failed/.test((e as TelephonyError).detail));
  });

  it('hold right after the operator answered waits until mod_callcenter has the bridge up (a hold made while it is still bridging is lost), then holds', async () => {
    h = await startHarness({ server: { bridgeSetupMs: 300 } });
    const call = await answeredCall();
    await h.tel.hold(call.uuid);
    assert.equal(call.held, true, 'the caller is on hold');
    await h.tel.unhold(call.uuid);
    assert.equal(call.held, false);
  });

  it('transfer sends the caller to another extension; hang-up ends the call with its event', async () => {
    h = await startHarness();
    const call = await answeredCall();
    await h.tel.transfer(call.uuid, '7011');
    assert.ok(h.fs.commandLog.includes(`api uuid_transfer ${call.uuid} 7011 XML default`));
    await h.tel.hangup(call.uuid);
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
  });

  it('a call that is gone, a malformed call id or destination is refused with the switch\'s words, and nothing is sent for bad input', async () => {
    h = await startHarness();
    await assert.rejects(h.tel.hangup('00000000-0000-4000-8000-000000000000'), (e: Error) => e instanceof TelephonyError && (e as TelephonyError).detail === '-ERR No such channel!');
    // FreeSWITCH's own uuid_hold says "+OK Success" for a call that does not exist: the app asks first.
    assert.equal(h.fs.runApi('uuid_hold 00000000-0000-4000-8000-000000000000'), '+OK Success\n');
    await assert.rejects(h.tel.hold('00000000-0000-4000-8000-000000000000'), (e: Error) => e instanceof TelephonyError && (e as TelephonyError).detail === '-ERR No such channel!');
    await assert.rejects(h.tel.unhold('00000000-0000-4000-8000-000000000000'), TelephonyError);
    const before = h.fs.commandLog.length;
    await assert.rejects(h.tel.hold('abc; uuid_kill all'), TelephonyError);
    await assert.rejects(h.tel.transfer('00000000-0000-4000-8000-000000000000', '70 11 XML'), TelephonyError);
    assert.equal(h.fs.commandLog.length, before);
  });
});
