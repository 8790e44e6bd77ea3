import type { PeerCertificate } from 'node:tls';
import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import type { Metadata } from 'nice-grpc';

/**
 * The metadata key that carries a verified client certificate's subject CNs from the interceptor below
 * to the access middleware. nice-grpc's call context has no peer certificate, so the interceptor, which
 * has it, writes it into the call's metadata.
 */
export const VERIFIED_PEER_KEY = 'x-mvnet-verified-peer-bin';

/** What the handshake proved about the client: the CNs of its certificate's subject (none, one or more). */
export interface VerifiedPeer {
  commonNames: string[];
}

/**
 * A grpc-js server interceptor (passed in the server options) that runs before any middleware on every
 * call. It first removes whatever the client sent under VERIFIED_PEER_KEY, so a client cannot claim a
 * certificate it did not present, then sets it from the connection's auth context. grpc-js fills
 * `sslPeerCertificate` only when the socket is `authorized`: the certificate was verified against
 * --tlscacert during the handshake.
 */
export const verifiedPeerInterceptor: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, pass) => {
          metadata.remove(VERIFIED_PEER_KEY);
          const certificate = call.getAuthContext()?.sslPeerCertificate;
          if (certificate) {
            const peer: VerifiedPeer = { commonNames: commonNamesOf(certificate) };
            metadata.set(VERIFIED_PEER_KEY, Buffer.from(JSON.stringify(peer)));
          }
          pass(metadata);
        },
      }),
  });

/** The verified peer the interceptor recorded in a call's metadata, if any. */
export function readVerifiedPeer(metadata: Metadata): VerifiedPeer | undefined {
  const value = metadata.get(VERIFIED_PEER_KEY);
  if (!(value instanceof Uint8Array)) return undefined;
  return JSON.parse(Buffer.from(value).toString('utf8')) as VerifiedPeer;
}

/** Node gives a subject attribute as a string, or as an array when the subject repeats it. */
function commonNamesOf(certificate: PeerCertificate): string[] {
  const cn: unknown = certificate.subject?.CN;
  if (typeof cn === 'string') return [cn];
  if (Array.isArray(cn)) return cn.map(String);
  return [];
}
