// Asterisk's configuration, read from the environment and validated at start-up.
// The call-flow settings (queue, hours, survey pacing) keep the names ivr/config.ts uses.
import { z } from 'zod';
import { hoursRange, surveyConfigSchema, readSurveyEnv } from '../config';
const name = z.string().regex(/^[A-Za-z0-9_-]+$/, '只能包含字母、数字、下划线和连字符');

/** Secrets that ship in examples and must never guard a real switch. */
const DEFAULT_SECRETS = new Set(['amp111', 'mysecret', 'secret', 'password', 'admin']);

export const asteriskConfigSchema = z.object({
  ami: z.object({
    host: z.string().min(1, 'ASTERISK_AMI 应为 host:port:user:secret'),
    port: z.number().int().min(1).max(65535),
    username: z.string().min(1),
    secret: z.string().min(8, 'AMI 密码至少 8 个字符').refine((s) => !DEFAULT_SECRETS.has(s), 'AMI 密码不能使用示例中的默认值'),
  }),
  /** Dialplan contexts of asterisk-conf/extensions.conf. */
  inboundContext: name,
  /** Where the dialplan takes calls the app cannot (extensions_hotline.conf [hotline-fallback]). */
  fallbackContext: name,
  surveyContext: name,
  transferContext: name,
  /** Where the app asks whether every prompt can be played ([hotline-prompt-check]). */
  promptCheckContext: name,
  /** A queue member's interface, {ext} = the operator's extension. */
  agentInterface: z.string().includes('{ext}'),
  /** Where the app listens for FastAGI (extensions.conf `AGI(agi://…)`). */
  agiListen: z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) }),
  recordingsDir: z.string().min(1),
  /** Prompt files as Asterisk sees them (asterisk-conf installs ivr/prompts there). */
  promptsDir: z.string().min(1),
  queue: name,
  /** After this long in the queue the caller is offered a message or a call back (Queue() timeout). */
  queueMaxWaitS: z.number().int().min(10).max(3600),
  workingHours: hoursRange,
  timeZone: z.string().min(1),
  survey: surveyConfigSchema,
});

export type AsteriskConfig = z.infer<typeof asteriskConfigSchema>;

/** Reads the configuration; throws a ZodError with Chinese messages on bad input. */
export function parseAsteriskConfig(env: Record<string, string | undefined> = process.env): AsteriskConfig {
  const m = /^([^:]+):(\d+):([^:]+):(.+)$/.exec(env.ASTERISK_AMI ?? '');
  const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
  return asteriskConfigSchema.parse({
    ami: m ? { host: m[1], port: Number(m[2]), username: m[3], secret: m[4] } : { host: '', port: 0, username: '', secret: '' },
    inboundContext: env.ASTERISK_INBOUND_CONTEXT ?? 'hotline-inbound',
    fallbackContext: env.ASTERISK_FALLBACK_CONTEXT ?? 'hotline-fallback',
    surveyContext: env.ASTERISK_SURVEY_CONTEXT ?? 'hotline-survey',
    transferContext: env.ASTERISK_TRANSFER_CONTEXT ?? 'hotline-transfer',
    promptCheckContext: env.ASTERISK_PROMPT_CHECK_CONTEXT ?? 'hotline-prompt-check',
    agentInterface: env.ASTERISK_AGENT_INTERFACE ?? 'PJSIP/{ext}',
    agiListen: (() => {
      const v = env.ASTERISK_AGI_LISTEN ?? '127.0.0.1:4573';
      const at = v.lastIndexOf(':');
      return { host: v.slice(0, at), port: at > 0 ? Number(v.slice(at + 1)) : NaN };
    })(),
    recordingsDir: env.IVR_RECORDINGS_DIR ?? '/var/spool/asterisk/monitor/hotline',
    promptsDir: env.IVR_PROMPTS_DIR ?? '/var/lib/asterisk/sounds/hotline',
    queueMaxWaitS: num(env.IVR_QUEUE_MAX_WAIT_S, 120),
    queue: env.IVR_QUEUE ?? 'hotline',
    workingHours: env.IVR_WORKING_HOURS ?? '08:30-17:30',
    timeZone: env.IVR_TIME_ZONE ?? 'Asia/Shanghai',
    survey: readSurveyEnv(env, 'PJSIP/{phone}@carrier'),
  });
}
