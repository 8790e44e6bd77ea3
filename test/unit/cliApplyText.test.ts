import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { pendingApplyText } from '../../client/src/cli/hostInfo';
import { renderPlan } from '../../client/src/cli/planDiff';
import { describeError } from '../../client/src/cli/reportError';
import { MvnetError } from '../../client/src/errors';
import { MAX_SPEC_FILE_BYTES, readSpecSource } from '../../client/src/spec/readSpecSource';
import { PlanAction, ResourceKind, type PlanStep } from '../../proto/gen/mvnet/v1/apply';

const { PLAN_ACTION_CREATE: CREATE, PLAN_ACTION_KEEP: KEEP, PLAN_ACTION_DELETE: DELETE } = PlanAction;

function step(action: PlanAction, name: string, more: Partial<PlanStep> = {}): PlanStep {
  return { action, kind: ResourceKind.RESOURCE_KIND_NETWORK, name, network: '', reason: '', ...more };
}

describe('the plan as a diff', () => {
  it('says so when every step is KEEP, or there are none', () => {
    expect(renderPlan([step(KEEP, 'a'), step(KEEP, 'b')])).toBe('No changes: the host matches the spec.\n');
    expect(renderPlan([])).toBe('No changes: the host matches the spec.\n');
  });

  it('shows a step of an action or kind this client does not know, and counts it apart', () => {
    const plan = [
      step(CREATE, 'a'),
      step(99 as PlanAction, 'b', { kind: 42 as ResourceKind }),
      step(KEEP, 'c'),
    ];
    expect(renderPlan(plan)).toBe(
      '+ network a\n? object b\n\nPlan: 1 to add, 0 to change, 0 to replace, 0 to delete, 1 unchanged, 1 of another action.\n',
    );
  });

  it("names an endpoint's network and gives the reason in parentheses", () => {
    const plan = [
      step(DELETE, 'c1', {
        kind: ResourceKind.RESOURCE_KIND_ENDPOINT,
        network: 'vlan30',
        reason: 'its network is replaced',
      }),
    ];
    expect(renderPlan(plan)).toMatch(/^- endpoint c1 on vlan30 \(its network is replaced\)\n/);
  });
});

describe('the pending apply in host info', () => {
  const now = Date.parse('2025-05-01T10:00:00.000Z');
  const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

  it('says when it rolls back, to the second', () => {
    expect(pendingApplyText({ applyId: 'a1', revision: 7, deadline: at(now + 89_400) }, now)).toBe(
      'a1 (revision 7), rolls back at 2025-05-01T10:01:29.400Z (in 1m30s) unless confirmed: mvnet apply confirm a1',
    );
  });

  it('says a deadline passed is due, and leaves out one not given', () => {
    expect(pendingApplyText({ applyId: 'a1', revision: 7, deadline: at(now - 1) }, now)).toMatch(
      /\(due now\)/,
    );
    expect(pendingApplyText({ applyId: 'a1', revision: 7, deadline: undefined }, now)).toBe(
      'a1 (revision 7) unless confirmed: mvnet apply confirm a1',
    );
  });
});

describe('field violations for people', () => {
  it('gives one violation as the line itself, and the message when there are none', () => {
    const violations = [{ field: 'spec.networks[2].vlan_id', description: '5000 is not a VLAN id' }];
    const err = new MvnetError(Status.INVALID_ARGUMENT, 'summary', 'h1:7443', {
      fieldViolations: violations,
    });
    expect(describeError(err)).toBe(
      'Error: spec.networks[2].vlan_id: 5000 is not a VLAN id (INVALID_ARGUMENT)',
    );
    expect(describeError(new MvnetError(Status.INVALID_ARGUMENT, 'summary', 'h1:7443'))).toBe(
      'Error: summary (INVALID_ARGUMENT)',
    );
  });
});

describe('reading a spec file', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-specsource-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, bytes: Buffer | string): string {
    const where = path.join(dir, name);
    fs.writeFileSync(where, bytes);
    return where;
  }

  it('reads UTF-8, dropping a byte order mark', async () => {
    const file = write(
      'bom.yaml',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('networks: []')]),
    );
    expect(await readSpecSource(file, undefined)).toEqual({ text: 'networks: []', source: file });
  });

  it('refuses text that is not UTF-8, a file over 4 MiB, and a directory, naming the file', async () => {
    const latin1 = write('latin1.yaml', Buffer.from([0x6e, 0xe9, 0x0a]));
    await expect(readSpecSource(latin1, undefined)).rejects.toThrow(`${latin1}: not UTF-8 text`);
    const big = write('big.yaml', Buffer.alloc(MAX_SPEC_FILE_BYTES + 1, 0x20));
    await expect(readSpecSource(big, undefined)).rejects.toThrow(`${big}: larger than 4 MiB`);
    await expect(readSpecSource(dir, undefined)).rejects.toThrow(`${dir}: is a directory (EISDIR)`);
  });

  it('reads standard input for -, up to the same bound', async () => {
    const chunks = async function* (parts: (string | Uint8Array)[]) {
      yield* parts;
    };
    expect(await readSpecSource('-', chunks(['networks:', Buffer.from(' []')]))).toEqual({
      text: 'networks: []',
      source: '<stdin>',
    });
    const endless = async function* () {
      for (;;) yield Buffer.alloc(1024 * 1024, 0x20);
    };
    await expect(readSpecSource('-', endless())).rejects.toThrow('<stdin>: larger than 4 MiB');
    await expect(readSpecSource('-', undefined)).rejects.toThrow(
      '-f -: no standard input to read the spec from',
    );
  });
});
