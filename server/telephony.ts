// Telephony at start-up: the configured switch adapter, the call log, and the
// return-visit dialer handed to the visit service. One place, whichever switch.
import { Knex } from 'knex';
import type { Telephony } from '../ivr/telephony';
import type { HotlineServices } from '../ivr/services';
import { CallLog } from '../ivr/call-log';
import { ReturnVisitDialer } from '../ivr/dialer';
import { listUsers, User } from '../storage/directory';
import { parseIvrConfig, SurveyConfig } from '../ivr/config';
import { parseAsteriskConfig } from '../ivr/asterisk/config';
import { AsteriskTelephony } from '../ivr/asterisk/adapter';
import { FreeSwitchTelephony } from '../ivr/freeswitch/adapter';
import { KnexAgentStateStore } from '../ivr/agent-store';
import { KnexSurveyLedger } from '../ivr/survey-ledger';

/** What a switch adapter brings: the adapter, how to pace survey calls, where its recordings are. */
export interface SwitchSetup {
  telephony: Telephony;
  survey: SurveyConfig;
  /** The recordings folder as this server sees it and as the switch writes it (orphans are adopted at start). */
  recordings?: { localDir: string; switchDir: string };
}

export type SwitchFactory = (o: { services: HotlineServices; agents: string[]; db: Knex; now: () => Date; wrapUpMs: number; openCalls?: () => Promise<string[]> }) => SwitchSetup;

const localRecordings = (switchDir: string) =>
  process.env.IVR_LOCAL_RECORDINGS_DIR ? { localDir: process.env.IVR_LOCAL_RECORDINGS_DIR, switchDir } : undefined;

/** FreeSWITCH over the Event Socket, configured from the environment (ivr/README.md). */
export const freeswitchSwitch: SwitchFactory = ({ services, agents, db, now, wrapUpMs, openCalls }) => {
  const config = parseIvrConfig(process.env);
  const telephony = new FreeSwitchTelephony({ config, services, agents, now, wrapUpMs, openCalls, store: new KnexAgentStateStore(db), surveys: new KnexSurveyLedger(db) });
  return { telephony, survey: config.survey, recordings: localRecordings(config.recordingsDir) };
};

/** Asterisk over AMI and FastAGI, configured from the environment (ivr/asterisk/README.md). */
export const asteriskSwitch: SwitchFactory = ({ services, agents, db, now, wrapUpMs, openCalls }) => {
  const config = parseAsteriskConfig(process.env);
  const telephony = new AsteriskTelephony({ config, services, agents, now, wrapUpMs, openCalls, store: new KnexAgentStateStore(db), surveys: new KnexSurveyLedger(db) });
  return { telephony, survey: config.survey, recordings: localRecordings(config.recordingsDir) };
};

/** Who takes hotline calls on the switch: active operators and supervisors with an extension. */
export const isAgent = (u: User): boolean => u.active && !!u.extension && (u.role === 'operator' || u.role === 'supervisor');

/** What a change to a user (`before` null: just created) means for the switch's queue: an extension to add, one to log out. */
export function agentChanges(after: User, before: User | null): { add: string | null; logOut: string | null } {
  const logOut = before && isAgent(before) && (!isAgent(after) || after.extension !== before.extension) ? before.extension : null;
  return { add: isAgent(after) ? after.extension : null, logOut };
}

export interface RunningSwitch {
  telephony: Telephony;
  dialer: ReturnVisitDialer;
  stop(): Promise<void>;
}

/** Start the switch adapter with the call log and the dialer. Retries, pacing and calling hours of return visits are the visit service's; the dialer places one attempt per request. */
export async function startSwitch(
  factory: SwitchFactory,
  o: { db: Knex; services: HotlineServices; now: () => Date; log: (l: string) => void; callingHours: string; timeZone: string; wrapUpMs: number },
): Promise<RunningSwitch> {
  const agents = (await listUsers(o.db)).filter(isAgent).map((u) => u.extension!);
  let callLog: CallLog | null = null;
  // Calls left open by an earlier run are closed by the adapter's first reconciliation if the switch no longer has them.
  const setup = factory({ services: o.services, agents, db: o.db, now: o.now, wrapUpMs: o.wrapUpMs, openCalls: async () => (callLog ? callLog.openCallIds() : []) });
  callLog = new CallLog(o.db, { switchKind: setup.telephony.kind, now: o.now, onError: (err) => o.log(`[通话记录] ${err.message}`) });
  if (setup.recordings) {
    const n = await callLog.adoptOrphanRecordings(setup.recordings.localDir, setup.recordings.switchDir);
    if (n) o.log(`[通话记录] 已收录 ${n} 个没有记录的录音文件`);
  }
  const detach = callLog.attach(setup.telephony);
  await setup.telephony.start();
  const s = setup.survey;
  const dialer = new ReturnVisitDialer(
    setup.telephony,
    o.services,
    {
      maxConcurrent: s.maxConcurrent, trunkLines: s.trunkLines, inboundReserve: s.inboundReserve, pacingMs: s.pacingMs,
      callingHours: o.callingHours, timeZone: o.timeZone, maxAttempts: 1, retryAfterMs: 0,
    },
    o.now,
  );
  dialer.start();
  return {
    telephony: setup.telephony,
    dialer,
    stop: async () => {
      dialer.stop();
      await setup.telephony.stop();
      detach();
      await callLog.flush();
    },
  };
}
