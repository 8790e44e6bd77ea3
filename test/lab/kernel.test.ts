// The lab kernel's own capabilities (802.1q, dummy, bonding, VLAN-filtering bridges), checked inside
// a lab instance: see kernel.labtest.ts, and describeInLab.ts for how the results come out here.
import { describeInLab } from './describeInLab';

describeInLab('kernel.labtest.ts');
