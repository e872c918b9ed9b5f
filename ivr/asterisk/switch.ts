// The Asterisk switch for the server's start-up (server/telephony.ts SwitchFactory):
// selected by configuration (ASTERISK_AMI=host:port:user:secret), same shape as freeswitchSwitch.
import type { SwitchFactory } from '../../server/telephony';
import { KnexAgentStateStore } from '../agent-store';
import { AsteriskTelephony } from './adapter';
import { parseAsteriskConfig } from './config';

export const asteriskSwitch: SwitchFactory = ({ services, agents, db, now }) => {
  const config = parseAsteriskConfig(process.env);
  const telephony = new AsteriskTelephony({ config, services, agents, now, store: new KnexAgentStateStore(db) });
  const s = config.survey;
  return {
    telephony,
    dialer: { maxConcurrent: s.maxConcurrent, trunkLines: s.trunkLines, inboundReserve: s.inboundReserve, pacingMs: s.pacingMs, callingHours: s.callingHours, timeZone: config.timeZone },
    recordings: process.env.IVR_LOCAL_RECORDINGS_DIR ? { localDir: process.env.IVR_LOCAL_RECORDINGS_DIR, switchDir: config.recordingsDir } : undefined,
  };
};
