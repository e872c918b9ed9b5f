// One scenario list for every switch (issue 15): the scenarios in ./scenarios.ts speak to a
// `SwitchDriver`, which places the citizens' calls, the operators' phones and the survey callees
// on one switch — the ESL/AMI test servers in `npm test`, a real FreeSWITCH or Asterisk in
// `npm run test:freeswitch` / `test:asterisk`. The app under test is always the real adapter
// (FreeSwitchTelephony, AsteriskTelephony) with the real call log on a real database.
import type { Telephony } from '../../ivr/telephony';
import type { AgentStateStore } from '../../ivr/agent-store';
import type { SurveyLedger } from '../../ivr/survey-ledger';
import type { InMemoryHotline } from '../ivr/fake-services';

/** What the app is built from; the driver turns it into its switch's adapter. */
export interface AppParts {
  services: InMemoryHotline;
  agents: string[];
  store: AgentStateStore;
  surveys: SurveyLedger;
  /** IVR_WORKING_HOURS for this run ('00:00-24:00' with a working day = in hours; the services decide the day). */
  workingHours: string;
  /** Seconds of wrap-up after a call (DESK_WRAP_UP_SECONDS). */
  wrapUpS: number;
  /** The call log's open calls (SwitchCoreOptions.openCalls). */
  openCalls: () => Promise<string[]>;
}

/** A citizen calling the hotline. */
export interface CallerPlan {
  caller: string;
  /** Digits keyed at each digit collection of the flow, in order ('' = silence until the time-out). */
  keys?: string[];
  /** Hang up while waiting in the queue (after `afterMs` there). */
  hangUpInQueue?: { afterMs: number };
  /** Hang up this long after an operator answered (default: the operator hangs up). */
  talkMs?: number;
}

export interface CitizenCall {
  /** The call's id on the switch, once the switch has it. */
  callId(): Promise<string>;
  hangUp(): Promise<void>;
  /** Resolves when the call is over for the citizen. */
  done(): Promise<void>;
}

export type PhoneBehaviour =
  | { kind: 'answer'; talkMs: number }
  | { kind: 'reject' }
  | { kind: 'no_answer' };

export interface AgentPhone {
  readonly extension: string;
  /** The phone goes away (unregisters) mid-shift. */
  unregister(): Promise<void>;
  close(): Promise<void>;
}

/** A citizen called back for a return-visit survey. */
export type CalleeBehaviour =
  | { kind: 'answer'; keys: string[] }
  | { kind: 'busy' }
  | { kind: 'no_answer' };

/** What a scenario may need beyond calls; a driver names the ones it cannot do, and why. */
export type Capability =
  | 'menu' | 'after_hours' | 'queue_timeout' | 'phone_behaviour' | 'unregister' | 'call_control'
  | 'survey' | 'app_crash' | 'switch_restart' | 'control_drop' | 'recording_files';

export interface SwitchDriver {
  readonly name: string;
  /** Why this driver cannot run scenarios that need `c` (null: it can). */
  cannot(c: Capability): string | null;
  /** Seconds a caller waits in the queue before the message / call-back offer, on this switch. */
  readonly queueMaxWaitS: number;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** After each scenario: nothing of it left on the switch (calls hung up). */
  reset?(): Promise<void>;
  /** A new adapter for the app (not started). */
  adapter(parts: AppParts): Telephony;
  /** Ends the app like kill -9: sockets dropped, nothing said, nothing flushed. */
  crash(t: Telephony): Promise<void>;
  phone(extension: string, b: PhoneBehaviour): Promise<AgentPhone>;
  call(plan: CallerPlan): Promise<CitizenCall>;
  /** The number to dial for a survey callee who behaves as `b`. */
  callee(b: CalleeBehaviour): Promise<string>;
  /** Restarts the switch with calls up (FreeSWITCH `fsctl shutdown restart`, Asterisk `core restart now`). */
  restartSwitch(): Promise<void>;
  /** Drops the app's control connection (ESL/AMI) from the switch's side. */
  dropControl(): Promise<void>;
  /** The dialplan applications run on a call so far (optional: a driver that sees them). */
  appsRun?(callId: string): { app: string; arg: string }[];
  /** A recording path as the switch wrote it, as a file on this machine (null: not visible here). */
  recordingFile(path: string): string | null;
}
