import { MvnetError } from '../../client/src';
import { ENDPOINT_CASES } from './hostile/endpointCases';
import { Status, type HostileCase } from './hostile/hostileCase';
import { makeHostileHost, type HostileHost } from './hostile/hostileHost';
import { NETWORK_CASES } from './hostile/networkCases';
import { OTHER_CASES } from './hostile/otherCases';

/**
 * The hostile-input suite (issue 11 §3): every field of every RPC, spoiled one at a time, against a
 * real agent on a host namespace with containers, a network and an endpoint. Each case gets the code it
 * must, a message that names the field (or what is wrong), and leaves everything as it was: the
 * kernel (links, addresses, routes in the host and in each container) and the state (networks,
 * endpoints, revision).
 */
const CASES: HostileCase[] = [...NETWORK_CASES, ...ENDPOINT_CASES, ...OTHER_CASES];

/** The status a call ended with, and its message. */
async function outcome(promise: Promise<unknown>): Promise<{ code: Status; details: string }> {
  try {
    await promise;
    return { code: Status.OK, details: '' };
  } catch (err) {
    const e = err as { code?: Status; details?: string; message?: string };
    if (err instanceof MvnetError || typeof e.code === 'number')
      return { code: e.code!, details: e.details ?? '' };
    throw err;
  }
}

describe(`hostile inputs: ${CASES.length} cases, each refused as it should be, changing nothing`, () => {
  let h: HostileHost;

  beforeAll(async () => {
    h = await makeHostileHost();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('has at least 200 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CASES.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const before = await h.snapshot();
    const { code, details } = await outcome(c.call(h));
    expect({ code: Status[code], details }).toEqual({
      code: Status[c.code],
      details: expect.stringMatching(c.names),
    });
    // Nothing raw is echoed back: no control character reaches the message.
    expect([...details].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(await h.snapshot()).toEqual(before);
  });
});
