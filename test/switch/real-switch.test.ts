// The hotline's call paths (./scenarios.ts, the same list as in `npm test`) against a REAL switch:
//   npm run test:freeswitch   (FREESWITCH_ESL=host:port:password; see freeswitch-conf/README.md)
//   npm run test:asterisk     (ASTERISK_AMI=host:port:user:secret; see asterisk-conf/README.md)
// Skipped, saying so, when neither is set.
import { switchScenarios } from './scenarios';
import { SwitchDriver } from './driver';

function realDriver(): SwitchDriver | null {
  const want = process.env.HOTLINE_TEST_SWITCH; // 'freeswitch' | 'asterisk' when both are set
  if (process.env.FREESWITCH_ESL && want !== 'asterisk') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { FreeSwitchRealDriver } = require('./drivers/freeswitch-real') as typeof import('./drivers/freeswitch-real');
    return new FreeSwitchRealDriver();
  }
  if (process.env.ASTERISK_AMI) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AsteriskRealDriver } = require('./drivers/asterisk-real') as { AsteriskRealDriver: new () => SwitchDriver };
    return new AsteriskRealDriver();
  }
  return null;
}

const driver = realDriver();
if (driver) switchScenarios(() => driver, { timeoutMs: 60000 });
else {
  describe('the hotline on a real switch', () => {
    it('needs FREESWITCH_ESL or ASTERISK_AMI', function () {
      console.log('    (skipped: set FREESWITCH_ESL=host:port:password or ASTERISK_AMI=host:port:user:secret to run the scenarios against a real switch)');
      this.skip();
    });
  });
}
