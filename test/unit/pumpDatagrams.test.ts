import { pumpDatagrams } from '../../agent/src/kernel/netlink/pumpDatagrams';

describe("pumpDatagrams: the link monitor worker's body, run from its own source text", () => {
  it('names nothing of its module, which the worker does not have', () => {
    // Compiled, a module's exports read `exports.NAME`, an import `module_1.NAME`, a helper `__name(`.
    expect(pumpDatagrams.toString()).not.toMatch(/\bexports\.|\b\w+_\d+\.|\b__\w+\(/);
  });
});
