// The IVR's configuration, read from the environment and validated at start-up.
import { z } from 'zod';

const hostPort = z.string().regex(/^[^:\s]+:\d{1,5}$/, '应为 host:port');
export const hoursRange = z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, '应为 HH:MM-HH:MM');

/**
 * How return-visit survey calls are placed, the same on every switch. When they may be
 * placed is the server's RETURN_VISIT_CALLING_HOURS (one setting for the visit rules and the dialer).
 */
export const surveyConfigSchema = z.object({
  /** Dial string with {phone}, e.g. sofia/gateway/carrier/{phone} or PJSIP/{phone}@carrier. */
  dial: z.string().includes('{phone}'),
  callerId: z.string().min(1),
  maxConcurrent: z.number().int().min(0).max(200),
  /** Lines on the trunk (0 = unknown) and lines always kept free for inbound calls. */
  trunkLines: z.number().int().min(0),
  inboundReserve: z.number().int().min(0),
  /** Minimum gap between two placements. */
  pacingMs: z.number().int().min(0),
  originateTimeoutS: z.number().int().min(5).max(120),
});
export type SurveyConfig = z.infer<typeof surveyConfigSchema>;

const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));

/** The SURVEY_* variables; `dialDefault` is the switch's own form of a dial string. */
export function readSurveyEnv(env: Record<string, string | undefined>, dialDefault: string): Record<keyof SurveyConfig, unknown> {
  return {
    dial: env.SURVEY_DIAL ?? dialDefault,
    callerId: env.SURVEY_CALLER_ID ?? '12345',
    maxConcurrent: num(env.SURVEY_MAX_CONCURRENT, 4),
    trunkLines: num(env.SURVEY_TRUNK_LINES, 0),
    inboundReserve: num(env.SURVEY_INBOUND_RESERVE, 8),
    pacingMs: num(env.SURVEY_PACING_MS, 3000),
    originateTimeoutS: num(env.SURVEY_ORIGINATE_TIMEOUT_S, 30),
  };
}

export const ivrConfigSchema = z.object({
  esl: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    password: z.string().min(1).refine((p) => p !== 'ClueCon', 'ESL 密码不能使用 FreeSWITCH 默认值 ClueCon'),
  }),
  /** Where the IVR app listens for FreeSWITCH's outbound-socket connections. */
  listen: z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) }),
  /** The address FreeSWITCH must use to reach `listen` (same unless NAT/containers). */
  socketAddress: hostPort,
  /** Recordings directory as the switch sees it (record_session writes there). */
  recordingsDir: z.string().min(1),
  /** Prompt files directory as the switch sees it (freeswitch-conf installs ivr/prompts there). */
  promptsDir: z.string().min(1),
  queue: z.string().regex(/^[a-z0-9_-]+$/i),
  /** Working hours of the operators on working days (PRC calendar). */
  workingHours: hoursRange,
  timeZone: z.string().min(1),
  /** After this long in the queue the caller is offered a message or a call back. */
  queueMaxWaitS: z.number().int().min(10).max(3600),
  /** Every so often each waiting caller hears their position (0 = never). */
  queueAnnounceS: z.number().int().min(0).max(600),
  survey: surveyConfigSchema,
});

export type IvrConfig = z.infer<typeof ivrConfigSchema>;

function splitHostPort(v: string): { host: string; port: number } {
  const at = v.lastIndexOf(':');
  return { host: v.slice(0, at), port: Number(v.slice(at + 1)) };
}

/** Reads the configuration from environment variables; throws a ZodError with Chinese messages on bad input. */
export function parseIvrConfig(env: Record<string, string | undefined> = process.env): IvrConfig {
  const esl = env.FREESWITCH_ESL ?? '';
  const m = /^([^:]+):(\d+):(.+)$/.exec(esl);
  const listen = env.IVR_LISTEN ?? '127.0.0.1:8084';
  return ivrConfigSchema.parse({
    esl: m ? { host: m[1], port: Number(m[2]), password: m[3] } : { host: '', port: 0, password: '' },
    listen: splitHostPort(listen),
    socketAddress: env.IVR_SOCKET_ADDRESS ?? listen,
    recordingsDir: env.IVR_RECORDINGS_DIR ?? '/var/lib/freeswitch/recordings/hotline',
    promptsDir: env.IVR_PROMPTS_DIR ?? '/usr/share/freeswitch/sounds/hotline',
    queue: env.IVR_QUEUE ?? 'hotline',
    workingHours: env.IVR_WORKING_HOURS ?? '08:30-17:30',
    timeZone: env.IVR_TIME_ZONE ?? 'Asia/Shanghai',
    queueMaxWaitS: num(env.IVR_QUEUE_MAX_WAIT_S, 120),
    queueAnnounceS: num(env.IVR_QUEUE_ANNOUNCE_S, 45),
    survey: readSurveyEnv(env, 'sofia/gateway/carrier/{phone}'),
  });
}
