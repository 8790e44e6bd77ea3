import { Status } from 'nice-grpc';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { take } from '../support/scriptedWatchAgent';

const { EVENT_TYPE_ADDED: ADDED, EVENT_TYPE_MODIFIED: MODIFIED, EVENT_TYPE_DELETED: DELETED } = EventType;
const { EVENT_TYPE_SYNCED: SYNCED, EVENT_TYPE_BOOKMARK: BOOKMARK } = EventType;

describe('watchEvents with revisions of several events', () => {
  it('hands out the events of a revision together, once its last has arrived', async () => {
    const log: string[] = [];
    const run = await take(
      [
        {
          events: [
            [SYNCED, 3],
            [DELETED, 4, 'e1', false],
            [DELETED, 4, 'e2', false],
            [DELETED, 4, 'n1', true],
            [ADDED, 5, 'n2'],
          ],
          end: 'hang',
        },
      ],
      5,
      {},
      log,
    );
    expect(run.events).toEqual(['3 SYNCED', '4 DELETED e1', '4 DELETED e2', '4 DELETED n1', '5 ADDED n2']);
    expect(log).toEqual([
      'sent 3 SYNCED',
      'got 3 SYNCED',
      'sent 4 DELETED e1',
      'sent 4 DELETED e2',
      'sent 4 DELETED n1',
      'got 4 DELETED e1',
      'got 4 DELETED e2',
      'got 4 DELETED n1',
      'sent 5 ADDED n2',
      'got 5 ADDED n2',
    ]);
  });

  it('resumes a stream broken in the middle of a revision from the last whole one, each event once', async () => {
    const run = await take(
      [
        {
          events: [
            [SYNCED, 3],
            [DELETED, 4, 'e1', false],
            [DELETED, 4, 'e2', false],
          ],
          end: Status.UNAVAILABLE,
        },
        {
          events: [
            [DELETED, 4, 'e1', false],
            [DELETED, 4, 'e2', false],
            [DELETED, 4, 'n1', true],
            [ADDED, 5, 'n2'],
          ],
          end: 'hang',
        },
      ],
      5,
    );
    expect(run.events).toEqual(['3 SYNCED', '4 DELETED e1', '4 DELETED e2', '4 DELETED n1', '5 ADDED n2']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([0, 3]);
    expect(run.retries.map((r) => r.sinceRevision)).toEqual([3]);
  });

  it('hands out a revision read whole from a resumed stream, after a half one that broke', async () => {
    const run = await take(
      [
        { events: [[MODIFIED, 8, 'a', false]], end: Status.RESOURCE_EXHAUSTED },
        { events: [[MODIFIED, 8, 'a', false]], end: Status.UNAVAILABLE },
        {
          events: [
            [MODIFIED, 8, 'a', false],
            [MODIFIED, 8, 'b', true],
          ],
          end: 'hang',
        },
      ],
      2,
      { sinceRevision: 7 },
    );
    expect(run.events).toEqual(['8 MODIFIED a', '8 MODIFIED b']);
    expect(run.requests.map((r) => r.sinceRevision)).toEqual([7, 7, 7]);
  });

  it('passes the ADDED events of a list on one by one: each stands alone', async () => {
    const log: string[] = [];
    await take(
      [
        {
          events: [
            [ADDED, 2, 'n1'],
            [ADDED, 2, 'n2'],
            [SYNCED, 2],
          ],
          end: 'hang',
        },
      ],
      3,
      {},
      log,
    );
    expect(log).toEqual([
      'sent 2 ADDED n1',
      'got 2 ADDED n1',
      'sent 2 ADDED n2',
      'got 2 ADDED n2',
      'sent 2 SYNCED',
      'got 2 SYNCED',
    ]);
  });

  it('takes the next revision or a bookmark as the end of one that an older agent left unmarked', async () => {
    const run = await take(
      [
        {
          events: [
            [MODIFIED, 4, 'a', false],
            [MODIFIED, 5, 'b', false],
            [BOOKMARK, 5, '', true],
          ],
          end: 'hang',
        },
      ],
      3,
      { sinceRevision: 3 },
    );
    expect(run.events).toEqual(['4 MODIFIED a', '5 MODIFIED b', '5 BOOKMARK']);
  });
});
