// The multi-host lab across a reboot: two boots on one state dir (see multihostReboot.labtest.ts).
import { describeInLab } from './describeInLab';

describeInLab('multihostReboot.labtest.ts', { phases: ['before', 'after'], reportTestTimes: true });
