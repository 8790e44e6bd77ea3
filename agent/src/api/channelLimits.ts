import type { ChannelOptions } from '@grpc/grpc-js';
import { MAX_MESSAGE_BYTES, MAX_STREAMS_PER_CONNECTION } from '../domain/limits';

/**
 * The transport's bounds, as grpc-js server options (domain/limits.ts says why these values): a
 * larger message is refused by grpc-js itself with RESOURCE_EXHAUSTED before it is decoded (also once
 * decompressed), and a client may open no more than MAX_STREAMS_PER_CONNECTION calls at once on one
 * connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; grpc-js sets none by default).
 */
export const CHANNEL_LIMITS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_concurrent_streams': MAX_STREAMS_PER_CONNECTION,
};
