// The agent's network half on a real kernel with 802.1q, dummy and bonding (see networks.labtest.ts).
import { describeInLab } from './describeInLab';

describeInLab('networks.labtest.ts');
