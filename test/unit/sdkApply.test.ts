import { Metadata } from 'nice-grpc';
import { applyRequest, applyResult, confirmWithinDuration } from '../../client/src/applyRequest';
import { formatDuration, parseDuration } from '../../client/src/duration';
import {
  errorInfoFromTrailer,
  fieldViolationsFromTrailer,
  STATUS_DETAILS_TRAILER,
} from '../../client/src/statusDetails';
import { BadRequest, ErrorInfo } from '../../proto/gen/google/rpc/error_details';
import { Status as RpcStatus } from '../../proto/gen/google/rpc/status';
import { PlanAction, ResourceKind } from '../../proto/gen/mvnet/v1/apply';

const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

/** A trailer carrying a google.rpc.Status with these details. */
function trailer(details: { typeUrl: string; value: Uint8Array }[]): Metadata {
  const status = RpcStatus.encode({
    code: 3,
    message: 'refused',
    details: details.map((d) => ({ typeUrl: d.typeUrl, value: Buffer.from(d.value) })),
  }).finish();
  return Metadata({ [STATUS_DETAILS_TRAILER]: status });
}

function badRequest(...fields: string[]): { typeUrl: string; value: Uint8Array } {
  const fieldViolations = fields.map((field) => ({ field, description: `${field} is wrong` }));
  return { typeUrl: BAD_REQUEST, value: BadRequest.encode({ fieldViolations }).finish() };
}

describe('durations, as kubectl and Go write them', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1500ms', 1_500],
    ['1h0m5s250ms', 3_605_250],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each([
    '',
    '90',
    '1.5s',
    '-5s',
    '5 s',
    '30s1m',
    '1m1m',
    '5d',
    's',
    `${'1'.repeat(10)}s`,
    '1s'.repeat(40),
  ])('refuses %j, saying what it expected', (text) => {
    expect(() => parseDuration(text)).toThrow(/^expected a duration such as 90s, 2m, 1h or 1m30s, not /);
  });

  it('quotes what it refuses, escaped and cut', () => {
    expect(() => parseDuration('\u001b[2J')).toThrow('not "\\u001b[2J"');
  });

  it('writes durations in the form it reads', () => {
    expect([0, 999, 1_000, 90_000, 3_600_000, 3_661_001].map(formatDuration)).toEqual([
      '0s',
      '999ms',
      '1s',
      '1m30s',
      '1h',
      '1h1m1s1ms',
    ]);
  });
});

describe('the Apply request', () => {
  it('takes a confirmation window from 1 s to 1 h, in milliseconds or as text', () => {
    expect(confirmWithinDuration(1_000)).toEqual({ seconds: 1, nanos: 0 });
    expect(confirmWithinDuration(1_500)).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(confirmWithinDuration('1h')).toEqual({ seconds: 3_600, nanos: 0 });
    expect(() => confirmWithinDuration(999)).toThrow('confirmWithin: 999ms is outside 1s..1h');
    expect(() => confirmWithinDuration('1h1s')).toThrow('confirmWithin: 1h1s is outside 1s..1h');
    expect(() => confirmWithinDuration(NaN)).toThrow('confirmWithin: NaN is outside 1s..1h');
    expect(() => confirmWithinDuration('soon')).toThrow(/^confirmWithin: expected a duration/);
  });

  it('sends every option, and defaults for those not given', () => {
    expect(applyRequest({ networks: [{ name: 'n' }] }, {})).toEqual({
      spec: { networks: [{ name: 'n' }], endpoints: [] },
      dryRun: false,
      expectedRevision: 0,
      confirmWithin: undefined,
      probeGateways: false,
    });
    expect(
      applyRequest({}, { dryRun: true, expectedRevision: 9, confirmWithin: '2m', probeGateways: true }),
    ).toMatchObject({
      dryRun: true,
      expectedRevision: 9,
      confirmWithin: { seconds: 120 },
      probeGateways: true,
    });
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1])(
    'refuses the expected revision %d before any call',
    (rev) => {
      expect(() => applyRequest({}, { expectedRevision: rev })).toThrow(
        /^expectedRevision: expected a revision/,
      );
    },
  );

  it('says whether anything changed, and gives the apply id only when there is one', () => {
    const step = (action: PlanAction) => ({
      action,
      kind: ResourceKind.RESOURCE_KIND_NETWORK,
      name: 'n',
      network: '',
      reason: '',
    });
    const kept = applyResult({ plan: [step(PlanAction.PLAN_ACTION_KEEP)], revision: 4, applyId: '' });
    expect(kept).toEqual({ plan: [step(PlanAction.PLAN_ACTION_KEEP)], revision: 4, changed: false });
    const plan = [step(PlanAction.PLAN_ACTION_KEEP), step(PlanAction.PLAN_ACTION_UPDATE)];
    expect(applyResult({ plan, revision: 5, applyId: 'a1' })).toMatchObject({ changed: true, applyId: 'a1' });
  });
});

describe('field violations from grpc-status-details-bin', () => {
  it('lists the violations of every BadRequest, in order, skipping other details', () => {
    const other = { typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', value: new Uint8Array([8, 1]) };
    const found = fieldViolationsFromTrailer(
      trailer([badRequest('spec.networks[0].name'), other, badRequest('a', 'b')]),
    );
    expect(found).toEqual([
      { field: 'spec.networks[0].name', description: 'spec.networks[0].name is wrong' },
      { field: 'a', description: 'a is wrong' },
      { field: 'b', description: 'b is wrong' },
    ]);
  });

  it('finds none without a trailer, without the key, or in bytes that do not decode', () => {
    expect(fieldViolationsFromTrailer(undefined)).toEqual([]);
    expect(fieldViolationsFromTrailer(Metadata({ other: 'x' }))).toEqual([]);
    expect(
      fieldViolationsFromTrailer(Metadata({ [STATUS_DETAILS_TRAILER]: new Uint8Array([0xff, 0xff]) })),
    ).toEqual([]);
    const garbled = { typeUrl: BAD_REQUEST, value: new Uint8Array([0x0a, 0x7f, 0x01]) };
    expect(fieldViolationsFromTrailer(trailer([garbled]))).toEqual([]);
  });
});

describe('ErrorInfo from grpc-status-details-bin', () => {
  const info = (reason: string) => ({
    typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo',
    value: ErrorInfo.encode({
      reason,
      domain: 'mvnet.io',
      metadata: { apply_id: '0123456789abcdef' },
    }).finish(),
  });

  it('is the first ErrorInfo among the details, beside any BadRequest', () => {
    expect(
      errorInfoFromTrailer(trailer([badRequest('a'), info('APPLY_AWAITS_CONFIRMATION'), info('LATER')])),
    ).toEqual({
      reason: 'APPLY_AWAITS_CONFIRMATION',
      domain: 'mvnet.io',
      metadata: { apply_id: '0123456789abcdef' },
    });
  });

  it('is absent without a trailer, without one among the details, or in bytes that do not decode', () => {
    expect(errorInfoFromTrailer(undefined)).toBeUndefined();
    expect(errorInfoFromTrailer(trailer([badRequest('a')]))).toBeUndefined();
    expect(
      errorInfoFromTrailer(Metadata({ [STATUS_DETAILS_TRAILER]: new Uint8Array([0xff]) })),
    ).toBeUndefined();
    const garbled = {
      typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo',
      value: new Uint8Array([0x0a, 0x7f]),
    };
    expect(errorInfoFromTrailer(trailer([garbled]))).toBeUndefined();
  });
});
