// Prompts that Asterisk cannot play are not a silent failure: the adapter asks at start and on
// every reconnect ([hotline-prompt-check] looks for each file; format_wav must be loaded),
// shows the answer in status(), and refuses survey calls while any prompt is missing.
import assert from 'node:assert/strict';
import { header } from '../ami/frames';
import { TelephonyError } from '../../ivr/telephony';
import { Harness, startHarness, until } from './harness';

const REQ = { ticketId: 42, ticketNumber: '202611230042', phone: '13912345678', attempt: 1 };

describe('Asterisk adapter: can the switch play the prompts?', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('every prompt found: status says so, with every prompt name sent to the dialplan', async () => {
    h = await startHarness();
    await until(() => h!.tel.status().prompts !== undefined, 2000, 'the prompt check');
    const p = h.tel.status().prompts!;
    assert.deepEqual([p.ok, p.missing], [true, []]);
    const o = h.ast.actions.find((a) => header(a, 'Action') === 'Originate' && /hotline-prompt-check/.test(header(a, 'Channel') ?? ''))!;
    assert.match(header(o, 'Variable') ?? '', /_HOTLINE_PROMPT_LIST=welcome&.*survey_question/);
    assert.equal((await h.tel.placeSurveyCall(REQ)).accepted, true);
  });

  it('a missing survey prompt: named in status, and survey calls are refused (nothing is dialled)', async () => {
    h = await startHarness({ server: { prompts: { missing: ['survey_question', 'survey_thanks'] } } });
    await until(() => h!.tel.status().prompts !== undefined, 2000, 'the prompt check');
    assert.deepEqual(h.tel.status().prompts!.missing, ['survey_question', 'survey_thanks']);
    assert.equal(h.tel.status().prompts!.ok, false);
    await assert.rejects(h.tel.placeSurveyCall(REQ), (e: TelephonyError) => e instanceof TelephonyError && /survey_question/.test(e.message));
    assert.ok(!h.ast.actions.some((a) => header(a, 'Action') === 'Originate' && /carrier/.test(header(a, 'Channel') ?? '')));
  });

  it('the check cannot be made (context not installed, or no WAV format): not ok, with the reason; surveys refused', async () => {
    h = await startHarness({ server: { prompts: { installed: false } } });
    await h.tel.checkPrompts(100);
    assert.equal(h.tel.status().prompts!.ok, null);
    assert.match(h.tel.status().prompts!.detail, /HotlinePromptCheck/);
    await assert.rejects(h.tel.placeSurveyCall(REQ), /提示音检查未完成/);
    await h.close();
    h = await startHarness({ server: { prompts: { formatWav: false } } });
    await h.tel.checkPrompts(100);
    assert.match(h.tel.status().prompts!.detail, /format_wav/);
  });

  it('IVR_PROMPTS_DIR that is not the dialplan\'s prompt folder is reported: the two would play different files', async () => {
    h = await startHarness({ server: { prompts: { dir: '/usr/share/asterisk/sounds/hotline' } } });
    await until(() => h!.tel.status().prompts !== undefined, 2000, 'the prompt check');
    assert.equal(h.tel.status().prompts!.ok, null);
    assert.match(h.tel.status().prompts!.detail, /IVR_PROMPTS_DIR \/var\/lib\/asterisk\/sounds\/hotline is not the dialplan's prompt folder/);
  });

  it('checked again on every reconnect', async () => {
    h = await startHarness();
    await until(() => h!.tel.status().prompts !== undefined, 2000, 'the prompt check');
    const count = () => h!.ast.actions.filter((a) => /hotline-prompt-check/.test(header(a, 'Channel') ?? '')).length;
    const before = count();
    h.ast.dropConnections();
    await h.waitFor('telephony_down');
    await until(() => count() > before, 3000, 'a new check after the reconnect');
  });
});
