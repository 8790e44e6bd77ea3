// The seed's second demo: VLANs 10 and 20 trunked to three hosts (see vlanTrunk.labtest.ts).
import { describeInLab } from './describeInLab';

describeInLab('vlanTrunk.labtest.ts');
