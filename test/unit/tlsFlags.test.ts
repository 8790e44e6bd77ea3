import { parseListenAddress } from '../../agent/src/api/listenAddress';
import { tlsFilesFromFlags } from '../../agent/src/api/tls/tlsFilesFromFlags';

describe('tlsFilesFromFlags (dockerd: --tlsverify --tlscacert --tlscert --tlskey)', () => {
  it('serves plaintext without flags, TLS with a certificate and key, mutual TLS with --tlsverify', () => {
    expect(tlsFilesFromFlags({})).toBeUndefined();
    expect(tlsFilesFromFlags({ tlsCert: 'c', tlsKey: 'k' })).toEqual({ certFile: 'c', keyFile: 'k' });
    expect(tlsFilesFromFlags({ tlsCert: 'c', tlsKey: 'k', tlsVerify: true, tlsCaCert: 'ca' })).toEqual({
      certFile: 'c',
      keyFile: 'k',
      caFile: 'ca',
    });
  });

  it.each([
    [{ tlsCert: 'c' }, '--tlscert goes with --tlskey'],
    [{ tlsKey: 'k' }, '--tlskey goes with --tlscert'],
    [{ tlsVerify: true, tlsCaCert: 'ca' }, "--tlsverify: TLS needs the agent's certificate and key"],
    [{ tlsCert: 'c', tlsKey: 'k', tlsVerify: true }, '--tlsverify: name the CA'],
    [
      { tlsCert: 'c', tlsKey: 'k', tlsCaCert: 'ca' },
      '--tlscacert: the CA verifies client certificates only with --tlsverify',
    ],
    [{ tlsCert: 'c', tlsKey: 'k', insecure: true }, '--insecure serves plaintext'],
  ])('refuses %j', (flags, message) => {
    expect(() => tlsFilesFromFlags(flags)).toThrow(message);
  });
});

describe('parseListenAddress', () => {
  it('takes any address with TLS (or for the health listener), only loopback without', () => {
    expect(parseListenAddress('0.0.0.0:7443', true)).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 7443 });
    expect(parseListenAddress('[::1]:7443', false)).toEqual({ kind: 'tcp', host: '::1', port: 7443 });
    expect(() => parseListenAddress('0.0.0.0:7443', false)).toThrow(
      '--listen 0.0.0.0:7443: without TLS the agent listens on loopback or a unix socket only; serve TLS with --tlscert and --tlskey',
    );
    expect(() => parseListenAddress('h1', true, '--health-listen')).toThrow(
      '--health-listen h1: use host:port',
    );
  });
});
