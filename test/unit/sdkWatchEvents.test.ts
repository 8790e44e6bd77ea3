import { Status } from 'nice-grpc';
import { ResourceKind } from '../../proto/gen/mvnet/v1/apply';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { MvnetError } from '../../client/src/errors';
import { retryDelay, watchEvents } from '../../client/src/watchEvents';
import { scriptedAgent, summary, take } from '../support/scriptedWatchAgent';

const { EVENT_TYPE_ADDED: ADDED, EVENT_TYPE_MODIFIED: MODIFIED } = EventType;
const { EVENT_TYPE_SYNCED: SYNCED, EVENT_TYPE_BOOKMARK: BOOKMARK } = EventType;

describe('watchEvents', () => {
  it('hands out the list, SYNCED and the changes as the agent sends them, asking with the filters', async () => {
    const run = await take(
      [
        {
          events: [
            [ADDED, 2, 'n1'],
            [ADDED, 1, 'n2'],
            [SYNCED, 3],
            [MODIFIED, 4, 'n1'],
          ],
          end: 'hang',
        },
      ],
      4,
      { kinds: [ResourceKind.RESOURCE_KIND_NETWORK], network: 'n1' },
    );
    expect(run.events).toEqual(['2 ADDED n1', '1 ADDED n2', '3 SYNCED', '4 MODIFIED n1']);
    expect(run.requests).toEqual([
      { sinceRevision: 0, kinds: [ResourceKind.RESOURCE_KIND_NETWORK], network: 'n1' },
    ]);
  });

  it('marks every event from the agent with relist: false', async () => {
    const { open } = scriptedAgent([{ events: [[SYNCED, 3]], end: 'hang' }]);
    for await (const event of watchEvents(open, 'h1:7443')) {
      expect(event).toEqual({
        relist: false,
        type: SYNCED,
        revision: 3,
        object: undefined,
        message: '',
        time: undefined,
        revisionEnd: true,
      });
      break;
    }
  });

  it('resumes a broken stream from the last revision it handed out, bookmarks included', async () => {
    const run = await take(
      [
        {
          events: [
            [SYNCED, 3],
            [MODIFIED, 4, 'n1'],
            [BOOKMARK, 6],
          ],
          end: Status.UNAVAILABLE,
        },
        { events: [[MODIFIED, 7, 'n1']], end: 'hang' },
      ],
      4,
    );
    expect(run.events).toEqual(['3 SYNCED', '4 MODIFIED n1', '6 BOOKMARK', '7 MODIFIED n1']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([0, 6]);
    expect(run.retries).toEqual([
      { error: expect.any(MvnetError), delayMs: expect.any(Number), sinceRevision: 6 },
    ]);
    expect(run.retries[0].error).toMatchObject({ code: Status.UNAVAILABLE, host: 'h1:7443' });
  });

  it('resumes after RESOURCE_EXHAUSTED, CANCELLED, and a stream the agent closes', async () => {
    const run = await take(
      [
        { events: [[MODIFIED, 5, 'n1']], end: Status.RESOURCE_EXHAUSTED },
        { events: [[MODIFIED, 6, 'n1']], end: Status.CANCELLED },
        { events: [[MODIFIED, 7, 'n1']], end: 'close' },
        { events: [[MODIFIED, 8, 'n1']], end: 'hang' },
      ],
      4,
      { sinceRevision: 4 },
    );
    expect(run.events).toEqual(['5 MODIFIED n1', '6 MODIFIED n1', '7 MODIFIED n1', '8 MODIFIED n1']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([4, 5, 6, 7]);
    expect(run.retries.map((r) => r.error?.codeName)).toEqual(['RESOURCE_EXHAUSTED', 'CANCELLED', undefined]);
  });

  it('drops an event it has already handed out', async () => {
    const run = await take(
      [
        { events: [[MODIFIED, 5, 'n1']], end: Status.UNAVAILABLE },
        {
          events: [
            [MODIFIED, 5, 'n1'],
            [MODIFIED, 6, 'n2'],
          ],
          end: 'hang',
        },
      ],
      2,
      { sinceRevision: 4 },
    );
    expect(run.events).toEqual(['5 MODIFIED n1', '6 MODIFIED n2']);
  });

  it('lists again after a relist marker when the agent no longer keeps the revision asked for', async () => {
    const run = await take(
      [
        { events: [], end: Status.OUT_OF_RANGE },
        {
          events: [
            [ADDED, 9, 'n1'],
            [SYNCED, 12],
          ],
          end: 'hang',
        },
      ],
      3,
      { sinceRevision: 2 },
    );
    expect(run.events).toEqual(['RELIST', '9 ADDED n1', '12 SYNCED']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([2, 0]);
    expect(run.retries).toEqual([]);
  });

  it('passes the reason of a relist on', async () => {
    const { open } = scriptedAgent([{ events: [], end: Status.OUT_OF_RANGE }]);
    for await (const event of watchEvents(open, 'h1:7443', { sinceRevision: 2 })) {
      expect(event).toEqual({ relist: true, reason: 'scripted OUT_OF_RANGE' });
      break;
    }
  });

  it('starts a list broken halfway over, after a relist marker', async () => {
    const run = await take(
      [
        { events: [[ADDED, 2, 'n1']], end: Status.UNAVAILABLE },
        {
          events: [
            [ADDED, 2, 'n1'],
            [ADDED, 5, 'n2'],
            [SYNCED, 5],
          ],
          end: 'hang',
        },
      ],
      5,
    );
    expect(run.events).toEqual(['2 ADDED n1', 'RELIST', '2 ADDED n1', '5 ADDED n2', '5 SYNCED']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([0, 0]);
  });

  it('opens a list that broke before its first event again, without a marker', async () => {
    const run = await take(
      [
        { events: [[MODIFIED, 5, 'n1']], end: Status.UNAVAILABLE },
        { events: [], end: Status.OUT_OF_RANGE },
        { events: [], end: Status.UNAVAILABLE },
        {
          events: [
            [ADDED, 9, 'n1'],
            [SYNCED, 9],
          ],
          end: 'hang',
        },
      ],
      4,
      { sinceRevision: 4 },
    );
    expect(run.events).toEqual(['5 MODIFIED n1', 'RELIST', '9 ADDED n1', '9 SYNCED']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([4, 5, 0, 0]);
  });

  it('resumes from revision 0 with a list, since_revision 0 asking for one', async () => {
    const run = await take(
      [
        { events: [[SYNCED, 0]], end: Status.UNAVAILABLE },
        {
          events: [
            [ADDED, 1, 'n1'],
            [SYNCED, 1],
          ],
          end: 'hang',
        },
      ],
      3,
    );
    // The agent held nothing at revision 0: its list now stands for the changes since, without a marker.
    expect(run.events).toEqual(['0 SYNCED', '1 ADDED n1', '1 SYNCED']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([0, 0]);
  });

  it("lists again when a bookmark shows the agent's revision went back (its state was wiped)", async () => {
    const run = await take(
      [
        {
          events: [
            [SYNCED, 10],
            [BOOKMARK, 3],
          ],
          end: 'hang',
        },
        {
          events: [
            [ADDED, 3, 'n9'],
            [SYNCED, 3],
          ],
          end: 'hang',
        },
      ],
      4,
    );
    expect(run.events).toEqual(['10 SYNCED', 'RELIST', '3 ADDED n9', '3 SYNCED']);
  });

  it('throws other errors as MvnetError, naming the host', async () => {
    const failure = take([{ events: [[SYNCED, 3]], end: Status.INVALID_ARGUMENT }], 2);
    await expect(failure).rejects.toBeInstanceOf(MvnetError);
    await expect(failure).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, host: 'h1:7443' });
  });

  it('fails at once when the first stream breaks before any event: the agent was never reached', async () => {
    const { open, requests } = scriptedAgent([{ events: [], end: Status.UNAVAILABLE }]);
    const events = watchEvents(open, 'h1:7443', { retryDelayMs: 1 })[Symbol.asyncIterator]();
    await expect(events.next()).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    expect(requests).toHaveLength(1);
  });

  it('refuses a sinceRevision that is not a whole number', async () => {
    await expect(take([], 1, { sinceRevision: -1 })).rejects.toThrow(/sinceRevision/);
  });

  it('ends without an error when the signal aborts, streaming or waiting to resume', async () => {
    const streaming = new AbortController();
    const { open } = scriptedAgent([{ events: [[SYNCED, 3]], end: 'hang' }]);
    const seen: string[] = [];
    for await (const event of watchEvents(open, 'h1:7443', { signal: streaming.signal })) {
      seen.push(summary(event));
      streaming.abort();
    }
    expect(seen).toEqual(['3 SYNCED']);

    const waiting = new AbortController();
    const broken = scriptedAgent([{ events: [[SYNCED, 3]], end: Status.UNAVAILABLE }]);
    const onRetry = () => waiting.abort();
    const options = { signal: waiting.signal, retryDelayMs: 60_000, onRetry };
    const after: string[] = [];
    for await (const event of watchEvents(broken.open, 'h1:7443', options)) after.push(summary(event));
    expect(after).toEqual(['3 SYNCED']);
  });

  it('backs off exponentially, with jitter, up to a bound, and starts low again after an event', async () => {
    const run = await take(
      [
        { events: [[SYNCED, 3]], end: Status.UNAVAILABLE },
        { events: [], end: Status.UNAVAILABLE },
        { events: [], end: Status.UNAVAILABLE },
        { events: [[BOOKMARK, 3]], end: Status.UNAVAILABLE },
        { events: [[BOOKMARK, 3]], end: 'hang' },
      ],
      3,
      { retryDelayMs: 4 },
    );
    const delays = run.retries.map((r) => r.delayMs);
    [4, 8, 16, 4].forEach((ceiling, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delays[i]).toBeLessThanOrEqual(ceiling);
    });
    expect(Math.max(...Array.from({ length: 200 }, (_, i) => retryDelay(500, i)))).toBeLessThanOrEqual(
      10_000,
    );
    expect(retryDelay(20_000, 5)).toBeLessThanOrEqual(20_000);
  });
});
