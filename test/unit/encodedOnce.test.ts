/**
 * A watch event goes to every watcher as one message object (WatchMessageCache), encoded once
 * (encodedOnce): the same object, the same bytes, one encode; another object, its own bytes; the other
 * methods of the definition untouched.
 */
import { encodedOnce } from '../../agent/src/api/encodedOnce';
import { WatchMessageCache } from '../../agent/src/api/WatchMessageCache';
import type { ChangeEvent, NetworkRecord } from '../../agent/src/domain/model';
import { AgentServiceDefinition, WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';

const message = (revision: number): WatchResponse => ({
  revision,
  type: EventType.EVENT_TYPE_MODIFIED,
  message: 'm',
  object: undefined,
  time: undefined,
  revisionEnd: true,
});

describe('watch messages made and encoded once', () => {
  it('encodes one message object once, whatever the streams, and gives the same bytes as ts-proto', () => {
    const encode = jest.spyOn(WatchResponse, 'encode');
    const wrapped = encodedOnce(AgentServiceDefinition, 'watch');
    const { responseType } = wrapped.methods.watch;
    const first = message(7);
    const bytes = responseType.encode(first).finish();
    expect(responseType.encode(first).finish()).toBe(bytes);
    expect(encode).toHaveBeenCalledTimes(1);
    expect(WatchResponse.decode(bytes)).toEqual(first);
    expect(responseType.encode(message(8)).finish()).not.toBe(bytes);
    expect(encode).toHaveBeenCalledTimes(2);
    // No copy through fromPartial (nice-grpc's default, once per stream), and nothing else changed.
    expect((responseType as { fromPartial?: unknown }).fromPartial).toBeUndefined();
    expect(wrapped.methods.getHost).toBe(AgentServiceDefinition.methods.getHost);
    encode.mockRestore();
  });

  it("makes one message per event, counting its network's endpoints once", () => {
    const counted: string[] = [];
    const cache = new WatchMessageCache((network) => {
      counted.push(network);
      return 3;
    });
    const network = {
      spec: { name: 'n1', subnets: [], labels: {} },
      status: { state: 'ready', message: '', revision: 4 },
    } as unknown as NetworkRecord;
    const event: ChangeEvent = {
      revision: 4,
      sequence: 0,
      revisionEnd: true,
      type: 'ADDED',
      kind: 'network',
      network: 'n1',
      name: 'n1',
      object: network,
      message: '',
      time: 0,
    };
    const a = cache.messageOf(event);
    expect(cache.messageOf(event)).toBe(a);
    expect(cache.messageOf({ ...event })).not.toBe(a);
    expect(counted).toEqual(['n1', 'n1']);
    expect(a.object).toMatchObject({ $case: 'network', value: { status: { endpointCount: 3 } } });
  });
});
