import { ChannelCredentials, createChannel, type Channel } from 'nice-grpc';

/**
 * A channel on a TCP connection of its own. grpc-js otherwise shares one connection among every
 * channel to a target with the same options (its global subchannel pool), and the benchmark means to
 * spread its watchers over several connections, and to keep the mutating client's apart.
 */
export function openOwnChannel(address: string): Channel {
  return createChannel(address, ChannelCredentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
}
