// The multi-host lab: three hosts, a VLAN-filtering switch, one agent each (see multihost.labtest.ts).
import { describeInLab } from './describeInLab';

describeInLab('multihost.labtest.ts', { timeoutMs: 600_000, reportTestTimes: true });
