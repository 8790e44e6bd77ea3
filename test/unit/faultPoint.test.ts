import { FAULT_STEPS, parseFaultTarget } from '../../agent/src/faultPoint';

describe('MVNET_FAULT_KILL_AT, the fault injection for tests', () => {
  it('is off when unset or empty', () => {
    expect(parseFaultTarget(undefined)).toBeUndefined();
    expect(parseFaultTarget('')).toBeUndefined();
  });

  it('takes a step, and which time it is reached (the first by default)', () => {
    expect(parseFaultTarget('endpoint-created')).toEqual({ step: 'endpoint-created', occurrence: 1 });
    expect(parseFaultTarget('link-op-done#3')).toEqual({ step: 'link-op-done', occurrence: 3 });
  });

  it.each(['endpoint-create', 'link-op-done#0', 'link-op-done#x', 'LINK-ADDED'])(
    'refuses %s, naming the steps there are, so that a typo cannot pass a test silently',
    (value) => {
      expect(() => parseFaultTarget(value)).toThrow(
        `MVNET_FAULT_KILL_AT=${value}: want <step>[#<n>], step one of ${FAULT_STEPS.join(', ')}`,
      );
    },
  );
});
