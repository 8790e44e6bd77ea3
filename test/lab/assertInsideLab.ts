/**
 * Setup file of tools/lab/jest.lab.config.js: lab tests create bridges, bonds and VLANs in the root network
 * namespace of the kernel they run on, which inside the lab is a throwaway kernel and on this machine
 * is the machine's own. Refuse to run anywhere but in a lab instance.
 */
import fs from 'node:fs';

const cmdline = fs.readFileSync('/proc/cmdline', 'utf8');
if (!process.env.MVNET_LAB_STATE || !/(^| )mvnet_lab_state=/.test(cmdline)) {
  throw new Error(
    'lab tests run only inside a lab instance (they change the kernel they run on): ' +
      'run them through test/lab/*.test.ts (describeInLab) or tools/lab/lab.ts',
  );
}
