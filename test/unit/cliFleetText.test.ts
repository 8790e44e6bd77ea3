import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { fleetPlanJson, readFleetPlan } from '../../client/src/cli/fleetPlanFile';
import { refusalLines, renderFleetPlan } from '../../client/src/cli/fleetPlanText';
import { progressLine, progressView, waveDisplayLine } from '../../client/src/cli/fleetProgress';
import {
  renderOutcomeJson,
  renderOutcomeTable,
  renderStatusJson,
  renderStatusTable,
  RolloutOutcomes,
} from '../../client/src/cli/fleetTables';
import { fleetWatchOutput } from '../../client/src/cli/fleetWatchLine';
import { watchEventLine } from '../../client/src/cli/watchEventLine';
import type { FleetPlan, FleetProgress, HostPlan, RolloutPolicy } from '../../client/src/fleet/fleetTypes';
import { MvnetError } from '../../client/src/errors';
import { PlanAction, ResourceKind, type PlanStep } from '../../proto/gen/mvnet/v1/apply';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import type { WatchEvent } from '../../client/src/watchEvents';
import { Status } from 'nice-grpc';

const HOSTS = [
  { name: 'h1', address: '10.0.0.11:7443', labels: {} },
  { name: 'h2', address: '10.0.0.12:7443', labels: {} },
  { name: 'h3', address: '10.0.0.13:7443', labels: {} },
];
const POLICY: RolloutPolicy = {
  canary: 1,
  maxUnavailable: { count: 2 },
  confirmWithinMs: 60_000,
  probeGateways: false,
  maxFailures: 0,
};

function step(action: PlanAction, name: string, more: Partial<PlanStep> = {}): PlanStep {
  return { action, kind: ResourceKind.RESOURCE_KIND_NETWORK, name, network: '', reason: '', ...more };
}

function hostPlan(i: number, steps: PlanStep[], more: Partial<HostPlan> = {}): HostPlan {
  const changes = steps.filter((s) => s.action !== PlanAction.PLAN_ACTION_KEEP).length;
  const spec = { networks: [{ name: 'lan', parent: 'eth0' }] };
  return { ...HOSTS[i], revision: 4 + i, reachable: true, spec, steps, changes, ...more };
}

const ADD_LAN = [
  step(PlanAction.PLAN_ACTION_CREATE, 'lan'),
  step(PlanAction.PLAN_ACTION_CREATE, 'c1', { kind: ResourceKind.RESOURCE_KIND_ENDPOINT, network: 'lan' }),
];
const OK_PLAN: FleetPlan = {
  ok: true,
  refusals: [],
  hosts: [
    hostPlan(0, ADD_LAN),
    hostPlan(1, ADD_LAN),
    hostPlan(2, [step(PlanAction.PLAN_ACTION_KEEP, 'lan')]),
  ],
};
const REFUSED_PLAN: FleetPlan = {
  ok: false,
  refusals: [
    { hosts: ['h1', 'h2'], message: '192.168.0.5 on both, one L2 segment (eth0, no VLAN)' },
    { hosts: ['h3'], message: 'host h3 (10.0.0.13:7443) cannot be reached: no answer within 10 s' },
  ],
  hosts: [
    hostPlan(0, ADD_LAN),
    hostPlan(1, ADD_LAN),
    hostPlan(2, [], { reachable: false, revision: 0, error: 'no answer within 10 s' }),
  ],
};

describe('fleet plan, for people', () => {
  it("prints each host's diff under its header, then the waves the rollout takes", () => {
    expect(renderFleetPlan(OK_PLAN, POLICY)).toBe(
      [
        'h1 (10.0.0.11:7443), revision 4:',
        '  + network lan',
        '  + endpoint c1 on lan',
        '',
        '  Plan: 2 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged.',
        '',
        'h2 (10.0.0.12:7443), revision 5:',
        '  + network lan',
        '  + endpoint c1 on lan',
        '',
        '  Plan: 2 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged.',
        '',
        'h3 (10.0.0.13:7443), revision 6:',
        '  No changes: the host matches the spec.',
        '',
        '2 hosts to change, 1 unchanged. Waves: canary h1; wave 1 h2.',
        '',
      ].join('\n'),
    );
  });

  it('lists the refusals, each naming its hosts, an unreachable host among them', () => {
    const text = renderFleetPlan(REFUSED_PLAN, POLICY);
    expect(text).toContain('h3 (10.0.0.13:7443): unreachable: no answer within 10 s\n');
    expect(text).toMatch(
      /\nRefused, nothing will change \(2 problems\):\n {2}h1, h2: 192\.168\.0\.5 on both, one L2 segment \(eth0, no VLAN\)\n {2}h3: host h3 \(10\.0\.0\.13:7443\) cannot be reached: no answer within 10 s\n$/,
    );
  });

  it('lists a host the agent refused to plan when no refusal names it, once', () => {
    const error = 'vlan30: parent eth0.30 is missing (FAILED_PRECONDITION)';
    const plan = { ok: false, refusals: [], hosts: [hostPlan(0, ADD_LAN), hostPlan(1, [], { error })] };
    expect(refusalLines(plan)).toEqual([`h2: ${error}`]);
    expect(refusalLines(REFUSED_PLAN)).toHaveLength(2);
    const outcomes = new RolloutOutcomes(HOSTS.slice(0, 2));
    outcomes.refuse(plan);
    expect(outcomes.outcomes.map((o) => o.message)).toEqual([
      'not started: the plan was refused',
      `not started: the plan was refused: ${error}`,
    ]);
  });

  it('says so when every host matches, and escapes what an agent said', () => {
    const plan = { ok: true, refusals: [], hosts: [hostPlan(0, [])] };
    expect(renderFleetPlan(plan, POLICY)).toMatch(/\nEvery host matches the file\.\n$/);
    const bad = { ...REFUSED_PLAN, refusals: [{ hosts: ['h1'], message: 'x\u001b[2Jy' }] };
    expect(refusalLines(bad)[0]).toBe('h1: x\\u001b[2Jy');
  });
});

describe('the saved plan (fleet plan --out, fleet apply --plan)', () => {
  const write = (plan: FleetPlan) => JSON.stringify(fleetPlanJson(plan));

  it('round-trips, with enum names in the file and each revision', () => {
    const json = fleetPlanJson(OK_PLAN) as { hosts: { revision: number; steps: { action: string }[] }[] };
    expect(json.hosts.map((h) => h.revision)).toEqual([4, 5, 6]);
    expect(json.hosts[0].steps[0].action).toBe('PLAN_ACTION_CREATE');
    const back = readFleetPlan(write(OK_PLAN), 'plan.json', HOSTS);
    expect(back.ok).toBe(true);
    expect(back.hosts.map((h) => [h.name, h.revision, h.changes, h.steps])).toEqual(
      OK_PLAN.hosts.map((h) => [h.name, h.revision, h.changes, h.steps]),
    );
    expect(back.hosts[0].spec.networks![0]).toMatchObject({ name: 'lan', parent: 'eth0' });
  });

  it("works ok and the changes out again rather than trusting the file's", () => {
    const edited = JSON.parse(write(REFUSED_PLAN)) as { ok: boolean; hosts: { changes: number }[] };
    edited.ok = true;
    edited.hosts[2].changes = 9;
    const back = readFleetPlan(JSON.stringify(edited), 'plan.json', HOSTS);
    expect(back.ok).toBe(false);
    expect(back.hosts[2].changes).toBe(0);
  });

  it.each([
    ['not json', 'plan.json: not a saved fleet plan (JSON): '],
    ['[]', 'plan.json: not a saved fleet plan: expected a JSON object'],
    ['{"refusals": [], "hosts": {}}', 'plan.json: hosts: expected a list'],
    [
      '{"refusals": [{"hosts": [1], "message": ""}], "hosts": []}',
      'plan.json: refusals[0].hosts[0]: expected a string',
    ],
  ])('refuses %s, naming the field', (text, message) => {
    expect(() => readFleetPlan(text, 'plan.json', HOSTS)).toThrow(message);
  });

  it('refuses a plan of other hosts, another address, a host twice, a revision that is not one', () => {
    const plan = JSON.parse(write(OK_PLAN)) as { hosts: Record<string, unknown>[] };
    const variant = (change: (hosts: Record<string, unknown>[]) => void) => {
      const copy = structuredClone(plan);
      change(copy.hosts);
      return () => readFleetPlan(JSON.stringify(copy), 'plan.json', HOSTS);
    };
    expect(variant((h) => (h[0].name = 'h9'))).toThrow(
      'plan.json: hosts[0].name: "h9" is not a host of the fleet file',
    );
    expect(variant((h) => (h[1].address = '10.9.9.9:1'))).toThrow(
      'plan.json: hosts[1].address: h2 was planned at 10.9.9.9:1, the fleet file has 10.0.0.12:7443',
    );
    expect(variant((h) => Object.assign(h[1], { name: 'h1', address: '10.0.0.11:7443' }))).toThrow(
      'plan.json: hosts[1].name: h1 is planned twice',
    );
    expect(variant((h) => h.pop())).toThrow('plan.json: hosts: the plan lacks h3 of the fleet file');
    expect(variant((h) => (h[0].revision = -1))).toThrow('plan.json: hosts[0].revision: expected a revision');
    expect(variant((h) => (h[0].revision = 2 ** 60))).toThrow(
      'plan.json: hosts[0].revision: expected a revision',
    );
    expect(variant((h) => (h[0].steps = [7]))).toThrow('plan.json: hosts[0].steps[0]: expected an object');
  });
});

describe('where each host stands after fleet apply', () => {
  const progress = (
    host: string,
    state: FleetProgress['state'],
    message: string,
    more: Partial<FleetProgress> = {},
  ) => ({ host, state, message, wave: 0, ...more }) as FleetProgress;

  function outcomesOf(events: FleetProgress[]): RolloutOutcomes {
    const outcomes = new RolloutOutcomes(HOSTS);
    for (const e of events) outcomes.record(e);
    return outcomes;
  }

  it('keeps the last state and message, and the last revision and changes any event gave', () => {
    const outcomes = outcomesOf([
      progress('h3', 'Available', 'matches the file', { revision: 6, changes: 0, wave: -1 }),
      progress('h1', 'Pending', 'wave 0'),
      progress('h2', 'Pending', 'wave 1', { wave: 1 }),
      progress('h1', 'Progressing', 'applying'),
      progress('h1', 'Available', 'changed and confirmed', { revision: 5, changes: 2 }),
      progress('h2', 'Failing', 'gateway 10.60.0.1 did not answer', { wave: 1 }),
      progress('h1', 'RolledBack', 'rolled back', { revision: 6, changes: 2 }),
    ]);
    expect(outcomes.ok).toBe(false);
    expect(renderOutcomeTable(outcomes.outcomes)).toBe(
      [
        'HOST   STATE        REVISION   CHANGES   MESSAGE',
        'h1     RolledBack   6          2         rolled back',
        'h2     Failing      -          -         gateway 10.60.0.1 did not answer',
        'h3     Available    6          0         matches the file',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(renderOutcomeJson(outcomes.outcomes))).toEqual({
      ok: false,
      hosts: [
        {
          name: 'h1',
          address: '10.0.0.11:7443',
          state: 'RolledBack',
          revision: 6,
          changes: 2,
          message: 'rolled back',
        },
        {
          name: 'h2',
          address: '10.0.0.12:7443',
          state: 'Failing',
          revision: null,
          changes: null,
          message: 'gateway 10.60.0.1 did not answer',
        },
        {
          name: 'h3',
          address: '10.0.0.13:7443',
          state: 'Available',
          revision: 6,
          changes: 0,
          message: 'matches the file',
        },
      ],
    });
  });

  it('is ok when every host is Available', () => {
    const done = HOSTS.map((h) => progress(h.name, 'Available', 'changed and confirmed'));
    const outcomes = outcomesOf(done);
    expect(outcomes.ok).toBe(true);
    expect(JSON.parse(renderOutcomeJson(outcomes.outcomes)).ok).toBe(true);
  });

  it('aborts every host of a refused plan, each with the refusals that name it', () => {
    const outcomes = new RolloutOutcomes(HOSTS);
    outcomes.refuse(REFUSED_PLAN);
    expect(outcomes.outcomes.map((o) => [o.state, o.message])).toEqual([
      ['Aborted', 'not started: the plan was refused: 192.168.0.5 on both, one L2 segment (eth0, no VLAN)'],
      ['Aborted', 'not started: the plan was refused: 192.168.0.5 on both, one L2 segment (eth0, no VLAN)'],
      [
        'Aborted',
        'not started: the plan was refused: host h3 (10.0.0.13:7443) cannot be reached: no answer within 10 s',
      ],
    ]);
  });

  it('aborts the hosts a stopped rollout left pending, and no other', () => {
    const outcomes = outcomesOf([progress('h1', 'Available', 'changed and confirmed')]);
    outcomes.abortPending('not started: the rollout was stopped');
    expect(outcomes.outcomes.map((o) => o.state)).toEqual(['Available', 'Aborted', 'Aborted']);
  });
});

describe('fleet status', () => {
  const statuses = [
    { name: 'h1', address: 'a1:1', reachable: true, revision: 7, drift: 0 },
    { name: 'h2', address: 'a2:1', reachable: true, revision: 3, drift: 2, pendingApplyId: 'ap-1' },
    { name: 'h3', address: 'a3:1', reachable: false, error: 'no answer within 10 s' },
  ];

  it('is a table of HOST, REACHABLE, REVISION, DRIFT, PENDING, ERROR', () => {
    expect(renderStatusTable(statuses)).toBe(
      [
        'HOST   REACHABLE   REVISION   DRIFT   PENDING   ERROR',
        'h1     yes         7          0       -         -',
        'h2     yes         3          2       ap-1      -',
        'h3     no          -          -       -         no answer within 10 s',
        '',
      ].join('\n'),
    );
  });

  it('is one JSON document, null where not known, not ok with a host unread', () => {
    const json = JSON.parse(renderStatusJson(statuses));
    expect(json.ok).toBe(false);
    expect(json.hosts[2]).toEqual({
      name: 'h3',
      address: 'a3:1',
      reachable: false,
      revision: null,
      drift: null,
      pendingApplyId: null,
      error: 'no answer within 10 s',
    });
    expect(JSON.parse(renderStatusJson(statuses.slice(0, 2))).ok).toBe(true);
  });
});

describe('fleet apply progress', () => {
  it('is one plain line per event when stderr is not a terminal', () => {
    const lines: string[] = [];
    const view = progressView(
      { stdout: () => undefined, stderr: (s) => lines.push(s), env: {} },
      ['h1', 'web-02'],
      1,
    );
    view.show({ host: 'h1', state: 'Progressing', message: 'applying', wave: 0 });
    view.show({ host: 'web-02', state: 'Available', message: 'matches the file', wave: -1 });
    view.show({ host: 'web-02', state: 'Pending', message: 'wave 2', wave: 2 });
    view.stop();
    expect(lines).toEqual([
      'h1      canary     Progressing  applying\n',
      'web-02  unchanged  Available    matches the file\n',
      'web-02  wave 2     Pending      wave 2\n',
    ]);
    expect(progressLine({ host: 'h1', state: 'Pending', message: '', wave: 0 }, 4, 0)).toBe(
      'h1    wave 0     Pending\n',
    );
  });

  it('counts the states of a wave and how many of its hosts are done', () => {
    expect(waveDisplayLine('wave 1', ['Available', 'Progressing', 'Available', 'Pending'])).toBe(
      'wave 1     2/4 done: 2 Available, 1 Progressing, 1 Pending',
    );
  });

  it('is a live display of one line per wave and per host on a terminal', async () => {
    let written = '';
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns: 120 },
    );
    const view = progressView(
      { stdout: () => undefined, stderr: () => undefined, env: {}, terminal },
      ['h1', 'h2', 'h3'],
      1,
    );
    view.show({ host: 'h3', state: 'Available', message: 'matches the file', wave: -1 });
    view.show({ host: 'h1', state: 'Pending', message: 'wave 0', wave: 0 });
    view.show({ host: 'h2', state: 'Pending', message: 'wave 1', wave: 1 });
    view.show({ host: 'h1', state: 'Available', message: 'changed and confirmed', wave: 0 });
    view.show({ host: 'h2', state: 'Progressing', message: 'applying', wave: 1 });
    view.stop();
    // The last frame: the display's lines as the terminal shows them once redrawn in place.
    const lastFrame = stripVTControlCharacters(written).split('\n').slice(-7, -1);
    expect(lastFrame).toEqual([
      'unchanged  1/1 done: 1 Available',
      '  h3    Available    matches the file',
      'canary     1/1 done: 1 Available',
      '  h1    Available    changed and confirmed',
      'wave 1     0/1 done: 1 Progressing',
      '  h2    Progressing  applying',
    ]);
  });
});

describe('fleet watch lines', () => {
  const added: WatchEvent = {
    ...WatchResponse.fromPartial({
      revision: 12,
      type: EventType.EVENT_TYPE_ADDED,
      revisionEnd: true,
      object: { $case: 'network', value: { name: 'lan', parent: 'eth0' } },
    }),
    relist: false,
  };

  it("prefixes the single-host watch's line with the host", () => {
    const out = fleetWatchOutput({ host: 'h2', event: added }, 4, { json: false, bookmarks: false });
    expect(out.stdout).toBe(`h2    ${watchEventLine(added)}`);
    expect(out.stdout).toMatch(/^h2 {4}12 {6}ADDED {5}network {3}lan {19}parent=eth0/);
  });

  it('puts a host field first in JSON, and leaves bookmarks out of the table only', () => {
    const json = fleetWatchOutput({ host: 'h2', event: added }, 4, { json: true, bookmarks: false });
    const value = JSON.parse(json.stdout!);
    expect(Object.keys(value)[0]).toBe('host');
    expect(value).toMatchObject({
      host: 'h2',
      revision: 12,
      type: 'EVENT_TYPE_ADDED',
      network: { name: 'lan' },
    });
    const bookmark: WatchEvent = { ...added, type: EventType.EVENT_TYPE_BOOKMARK, object: undefined };
    expect(fleetWatchOutput({ host: 'h1', event: bookmark }, 4, { json: false, bookmarks: false })).toEqual(
      {},
    );
    expect(
      fleetWatchOutput({ host: 'h1', event: bookmark }, 4, { json: false, bookmarks: true }).stdout,
    ).toMatch(/^h1 {4}12 {6}BOOKMARK/);
  });

  it("notes a host's stream being resumed on stderr, naming the host", () => {
    const error = new MvnetError(Status.UNAVAILABLE, 'connection refused', 'h3:7443');
    const out = fleetWatchOutput({ host: 'h3', retry: { error, sinceRevision: 9, delayMs: 1500 } }, 4, {
      json: false,
      bookmarks: false,
    });
    expect(out).toEqual({
      stderr: 'Warning: h3: watch: connection refused (UNAVAILABLE); resuming after revision 9 in 1.5 s\n',
    });
  });
});
