// A host reboot: two boots of the lab on one state dir (see reboot.labtest.ts).
import { describeInLab } from './describeInLab';

describeInLab('reboot.labtest.ts', { phases: ['before', 'after'] });
