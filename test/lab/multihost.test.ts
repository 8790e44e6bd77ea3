// The multi-host lab: three hosts, a VLAN-filtering switch, one agent each (see multihost.labtest.ts).
import { describeInLab } from './describeInLab';

// The cni-vlan scenario executes the built mvnet-cni as a runtime does; `npm run build` made it
// executable (inside the lab the repository is read-only).

describeInLab('multihost.labtest.ts', { timeoutMs: 600_000, reportTestTimes: true });
