// The Asterisk adapter against a real Asterisk (asterisk-conf/ installed, plus
// asterisk-conf/test/extensions_hotline_test.conf): `npm run test:asterisk` with
// ASTERISK_AMI=host:port:user:secret. Skipped, saying so, without it.
import assert from 'node:assert/strict';
import { AsteriskTelephony } from '../../ivr/asterisk/adapter';
import { field } from '../../ivr/asterisk/ami';
import { parseAsteriskConfig } from '../../ivr/asterisk/config';
import { CallEvent } from '../../ivr/telephony';
import { InMemoryHotline } from '../ivr/fake-services';
import { until } from './harness';

const AMI = process.env.ASTERISK_AMI;

describe('the Asterisk adapter against a real Asterisk', function () {
  this.timeout(120000);
  let tel: AsteriskTelephony;
  let services: InMemoryHotline;
  const events: CallEvent[] = [];
  const agent = process.env.TEST_AGENT_EXTENSION ?? '1099';

  before(async function () {
    if (!AMI) {
      console.log('    (skipped: set ASTERISK_AMI=host:port:user:secret to run against a real Asterisk; see asterisk-conf/README.md)');
      this.skip();
    }
    // The FastAGI listener must be where the dialplan's HOTLINE_AGI points (127.0.0.1:4573 by default).
    const config = parseAsteriskConfig({ SURVEY_DIAL: 'Local/{phone}@hotline-test-callee', ...process.env });
    services = new InMemoryHotline();
    tel = new AsteriskTelephony({ config, services, agents: [agent], backoff: { initialMs: 200, maxMs: 2000 } });
    tel.onEvent((e) => events.push(e));
    await tel.start();
    await until(() => tel.status().connected, 10000, 'AMI login');
  });

  after(async () => {
    if (!tel) return;
    await tel.setAgentState(agent, { state: 'logged_out' }).catch(() => undefined);
    await tel.stop();
  });

  const member = async () => {
    const items = await tel.ami.list({ action: 'QueueStatus', queue: 'hotline' });
    return items.find((i) => field(i, 'event') === 'QueueMember' && field(i, 'location') === `PJSIP/${agent}`) ?? null;
  };

  it('an operator who gets ready is a member of the queue; a break pauses with the reason; log-out removes', async () => {
    await tel.setAgentState(agent, { state: 'ready' });
    assert.equal(field((await member())!, 'paused'), '0');
    await tel.setAgentState(agent, { state: 'on_break', reason: 'lunch' });
    const m = (await member())!;
    assert.deepEqual([field(m, 'paused'), field(m, 'pausedreason')], ['1', 'lunch']);
    await tel.setAgentState(agent, { state: 'logged_out' });
    assert.equal(await member(), null);
  });

  it('a survey call is answered and the keyed digit is stored as the outcome', async () => {
    const placed = await tel.placeSurveyCall({ ticketId: 7, ticketNumber: '202611230007', phone: '13900000001', attempt: 1 });
    assert.equal(placed.accepted, true, placed.detail);
    await until(() => services.answers.length > 0, 30000, 'the survey answer');
    assert.deepEqual([services.answers[0].ticketId, services.answers[0].outcome, services.answers[0].digit], [7, 'satisfied', '1']);
  });

  it('a hotline call runs the call flow over FastAGI: key 2, speak, hang up — the message is a draft ticket', async function () {
    const number = process.env.HOTLINE_NUMBER ?? '12345';
    await tel.ami.action({
      action: 'Originate', channel: `Local/${number}@hotline-inbound`, context: 'hotline-test-caller', exten: 's', priority: '1',
      callerid: '"Test" <13900000099>', async: 'true', timeout: '10000',
    });
    await until(() => services.drafts.length > 0, 40000, 'the draft ticket');
    // Within working hours the caller chose the message; outside them the flow goes straight to it.
    assert.ok(['caller_choice', 'after_hours'].includes(services.drafts[0].reason), services.drafts[0].reason);
    assert.match(services.drafts[0].recordingPath, /message_.*\.wav$/);
    assert.ok(events.some((e) => e.type === 'recording_started' && e.kind === 'call'));
  });

  it('a busy citizen is "busy", from OriginateResponse', async () => {
    const placed = await tel.placeSurveyCall({ ticketId: 8, ticketNumber: '202611230008', phone: '13900000017', attempt: 1 });
    assert.equal(placed.accepted, false);
    assert.equal(placed.outcome, 'busy');
  });
});
