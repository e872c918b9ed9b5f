// The hotline's call paths (./scenarios.ts) against the switch test servers, in `npm test`.
// The same list runs against a real switch in real-switch.test.ts.
import { switchScenarios } from './scenarios';
import { FreeSwitchSimDriver } from './drivers/freeswitch-sim';

switchScenarios(() => new FreeSwitchSimDriver(), { timeoutMs: 5000 });
