// The multi-host lab: three hosts, a VLAN-filtering switch, one agent each (see multihost.labtest.ts).
import fs from 'node:fs';
import { describeInLab } from './describeInLab';
import { MVNET_CNI_MAIN } from './scenarios/labMvnetCni';

// The cni-vlan scenario executes the built mvnet-cni as a runtime does, and inside the lab the
// repository is read-only: made executable here, before the lab boots (tsc writes 0644).
if (fs.existsSync(MVNET_CNI_MAIN)) fs.chmodSync(MVNET_CNI_MAIN, 0o755);

describeInLab('multihost.labtest.ts', { timeoutMs: 600_000, reportTestTimes: true });
