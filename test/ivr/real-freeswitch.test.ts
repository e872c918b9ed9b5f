// The IVR against a real FreeSWITCH (freeswitch-conf/ installed): `npm run test:freeswitch`
// with FREESWITCH_ESL=host:port:password. Skipped, saying so, without it. Calls that need
// SIP traffic are placed with sipp (SIPP, SIPP_PCAP_DIR); those skip when sipp is absent.
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseIvrConfig } from '../../ivr/config';
import { FreeSwitchTelephony } from '../../ivr/freeswitch/adapter';
import { EslInbound } from '../../ivr/freeswitch/inbound';
import { CallEvent } from '../../ivr/telephony';
import { InMemoryHotline } from './fake-services';
import { until } from './harness';

const ESL = process.env.FREESWITCH_ESL;
const SIPP = process.env.SIPP ?? 'sipp';
const PCAP = process.env.SIPP_PCAP_DIR ?? '/usr/share/sip-tester';
const sippAvailable = () => spawnSync(SIPP, ['-v']).status !== null;

function sipp(scenario: string, args: string[]): ChildProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const file = path.join(dir, scenario);
  fs.writeFileSync(file, fs.readFileSync(path.resolve(__dirname, '../sipp', scenario), 'utf8').replaceAll('@PCAP_DIR@', PCAP));
  return spawn(SIPP, ['-sf', file, ...args, '-m', '1', '-nostdin'], { stdio: 'ignore' });
}

describe('the IVR against a real FreeSWITCH', function () {
  this.timeout(180000);
  let tel: FreeSwitchTelephony;
  let services: InMemoryHotline;
  const events: CallEvent[] = [];

  before(async function () {
    if (!ESL) {
      console.log('    (skipped: set FREESWITCH_ESL=host:port:password to run against a real FreeSWITCH; see freeswitch-conf/README.md)');
      this.skip();
    }
    const config = parseIvrConfig({ SURVEY_DIAL: 'sofia/external/{phone}@127.0.0.1:5070', ...process.env });
    services = new InMemoryHotline();
    tel = new FreeSwitchTelephony({ config, services, agents: ['1001', '1002'] });
    tel.onEvent((e) => events.push(e));
    await tel.start();
    await until(() => tel.status().connected, 10000, 'connected to FreeSWITCH');
  });

  after(async () => {
    await tel?.stop();
  });

  it('connects, subscribes and reconciles live calls', async () => {
    await tel.reconcile();
    assert.equal(tel.status().connected, true);
  });

  it('an operator set ready is Available in mod_callcenter, and On Break with a reason', async () => {
    const c = parseIvrConfig(process.env);
    const probe = new EslInbound({ host: c.esl.host, port: c.esl.port, password: c.esl.password });
    probe.start();
    await new Promise<void>((r) => probe.once('up', () => r()));
    try {
      await tel.setAgentState('1001', { state: 'ready' });
      assert.equal((await probe.api(`callcenter_config agent get status 1001@${c.queue}`)).trim(), 'Available');
      await tel.setAgentState('1001', { state: 'on_break', reason: '培训' });
      assert.equal((await probe.api(`callcenter_config agent get status 1001@${c.queue}`)).trim(), 'On Break');
      await tel.setAgentState('1001', { state: 'logged_out' });
    } finally {
      probe.stop();
    }
  });

  it('a return visit answered with 1 is stored as satisfied (sipp UAS on 127.0.0.1:5070)', async function () {
    if (!sippAvailable()) this.skip();
    const uas = sipp('uas_survey_digit1.xml', ['-i', '127.0.0.1', '-p', '5070', '-rtp_echo']);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const placed = await tel.placeSurveyCall({ ticketId: 1, ticketNumber: '202611230001', phone: '0301234567', attempt: 1 });
      assert.equal(placed.accepted, true, placed.detail);
      await until(() => services.answers.some((a) => a.ticketId === 1), 60000, 'survey answer');
      assert.equal(services.answers.find((a) => a.ticketId === 1)?.outcome, 'satisfied');
    } finally {
      uas.kill();
    }
  });

  it('a busy citizen is "busy", not unreachable', async function () {
    if (!sippAvailable()) this.skip();
    const uas = sipp('uas_busy.xml', ['-i', '127.0.0.1', '-p', '5070']);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const placed = await tel.placeSurveyCall({ ticketId: 2, ticketNumber: '202611230002', phone: '0301234567', attempt: 1 });
      assert.equal(placed.outcome, 'busy');
    } finally {
      uas.kill();
    }
  });

  it('a caller who presses 2 and speaks leaves a draft ticket with the recording (sipp UAC to the hotline number)', async function () {
    if (!sippAvailable()) this.skip();
    const uac = sipp('uac_hotline_message.xml', ['127.0.0.1:5060', '-s', process.env.HOTLINE_NUMBER ?? '12345']);
    try {
      await until(() => services.drafts.length > 0, 90000, 'draft ticket');
      assert.match(services.drafts[0].recordingPath, /message_[0-9a-f-]{36}\.wav$/);
      assert.ok(events.some((e) => e.type === 'recording_started' && e.kind === 'call'));
    } finally {
      uac.kill();
    }
  });
});
