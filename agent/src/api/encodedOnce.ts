/**
 * A server-streaming method whose messages are encoded once per message object, not once per stream:
 * a watch event goes to every watcher as the same object (WatchMessageCache), and its bytes are kept
 * beside it (a WeakMap) for the other streams. Without it, grpc-js had nice-grpc copy the message
 * (fromPartial) and encode it again for each of 1,000 watchers.
 *
 * The method's handler must yield whole messages (ts-proto's types, not partial objects): the copy
 * that filled in missing fields is what this skips.
 */
interface TsProtoType<M> {
  encode(message: M): { finish(): Uint8Array };
  fromPartial?: unknown;
}

interface TsProtoMethod {
  responseType: TsProtoType<never>;
}

/** `definition` with `method`'s responses encoded once per message object. */
export function encodedOnce<D extends { methods: Record<string, TsProtoMethod> }>(
  definition: D,
  method: keyof D['methods'] & string,
): D {
  const original = definition.methods[method];
  const { encode } = original.responseType as unknown as TsProtoType<object>;
  const bytes = new WeakMap<object, Uint8Array>();
  const once = (message: object) => {
    let encoded = bytes.get(message);
    if (!encoded) {
      encoded = encode(message).finish();
      bytes.set(message, encoded);
    }
    return { finish: () => encoded };
  };
  const responseType = { ...original.responseType, encode: once, fromPartial: undefined };
  return { ...definition, methods: { ...definition.methods, [method]: { ...original, responseType } } };
}
