/**
 * What a runtime hands mvnet-cni, checked before the agent is asked: every bad environment variable or
 * config field is a CNI error with the spec's code, naming what is wrong.
 */
import { CniCode, CniError } from '../../client/src/cni/cniError';
import { DEFAULT_AGENT, readCniRequest } from '../../client/src/cni/cniRequest';
import { endpointName } from '../../client/src/cni/cniCommands';

const ENV = {
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'f'.repeat(64),
  CNI_NETNS: '/var/run/netns/c1',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
};
const CONFIG = { cniVersion: '1.1.0', name: 'macvlan10', type: 'mvnet-cni' };

function refusal(env: Record<string, string | undefined>, config: unknown): CniError {
  try {
    readCniRequest({ ...ENV, ...env }, typeof config === 'string' ? config : JSON.stringify(config));
  } catch (err) {
    if (err instanceof CniError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('mvnet-cni: reading a call', () => {
  it('takes the defaults: the network is the config name, the agent its unix socket', () => {
    const request = readCniRequest(ENV, JSON.stringify(CONFIG));
    expect(request).toMatchObject({
      command: 'ADD',
      ifname: 'eth0',
      netns: '/var/run/netns/c1',
      config: { network: 'macvlan10', agent: DEFAULT_AGENT, mac: '', ips: [] },
    });
  });

  it('takes a MAC and addresses from runtimeConfig first, then args.cni, then CNI_ARGS', () => {
    const args = { CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.1.2.3,fd00::3;MAC=02:00:00:00:00:01' };
    expect(readCniRequest({ ...ENV, ...args }, JSON.stringify(CONFIG)).config).toMatchObject({
      mac: '02:00:00:00:00:01',
      ips: ['10.1.2.3', 'fd00::3'],
    });
    const runtime = { ...CONFIG, runtimeConfig: { mac: '02:00:00:00:00:02', ips: ['10.1.2.4/24'] } };
    expect(readCniRequest({ ...ENV, ...args }, JSON.stringify(runtime)).config).toMatchObject({
      mac: '02:00:00:00:00:02',
      ips: ['10.1.2.4/24'],
    });
    const cniArgs = { ...CONFIG, args: { cni: { mac: '02:00:00:00:00:03', ips: ['10.1.2.5'] } } };
    expect(readCniRequest(ENV, JSON.stringify(cniArgs)).config).toMatchObject({
      mac: '02:00:00:00:00:03',
      ips: ['10.1.2.5'],
    });
  });

  it.each<[string, Record<string, string | undefined>, unknown, number, string]>([
    ['no command', { CNI_COMMAND: undefined }, CONFIG, CniCode.INVALID_ENVIRONMENT, 'CNI_COMMAND ""'],
    [
      'an unknown command',
      { CNI_COMMAND: 'UPGRADE' },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'CNI_COMMAND "UPGRADE"',
    ],
    ['no container id', { CNI_CONTAINERID: '' }, CONFIG, CniCode.INVALID_ENVIRONMENT, 'CNI_CONTAINERID'],
    [
      'a container id with a slash',
      { CNI_CONTAINERID: 'a/../b' },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'CNI_CONTAINERID',
    ],
    [
      'a 256-character container id',
      { CNI_CONTAINERID: 'a'.repeat(256) },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'CNI_CONTAINERID',
    ],
    [
      'an ifname of 16 bytes',
      { CNI_IFNAME: 'a'.repeat(16) },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'CNI_IFNAME',
    ],
    ['an ifname with a slash', { CNI_IFNAME: 'eth/0' }, CONFIG, CniCode.INVALID_ENVIRONMENT, 'CNI_IFNAME'],
    ['the ifname ..', { CNI_IFNAME: '..' }, CONFIG, CniCode.INVALID_ENVIRONMENT, 'CNI_IFNAME'],
    [
      'ADD without a netns',
      { CNI_NETNS: '' },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'CNI_NETNS: required for ADD',
    ],
    ['a relative netns', { CNI_NETNS: 'run/netns/c1' }, CONFIG, CniCode.INVALID_ENVIRONMENT, 'absolute path'],
    [
      'an unknown CNI_ARGS key',
      { CNI_ARGS: 'FOO=1' },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'unknown key "FOO"',
    ],
    ['CNI_ARGS without =', { CNI_ARGS: 'IP' }, CONFIG, CniCode.INVALID_ENVIRONMENT, 'is not KEY=VALUE'],
    [
      'CNI_ARGS over 4 KiB',
      { CNI_ARGS: `IgnoreUnknown=1;X=${'a'.repeat(5000)}` },
      CONFIG,
      CniCode.INVALID_ENVIRONMENT,
      'at most 4096 bytes',
    ],
    ['a config that is not JSON', {}, '{"cniVersion":', CniCode.DECODING_FAILURE, 'not JSON'],
    ['a config that is a list', {}, [CONFIG], CniCode.DECODING_FAILURE, 'not a JSON object'],
    [
      'a config over 1 MiB',
      {},
      JSON.stringify({ ...CONFIG, pad: 'a'.repeat(1024 * 1024) }),
      CniCode.DECODING_FAILURE,
      'over 1048576 bytes',
    ],
    [
      'a version it does not speak',
      {},
      { ...CONFIG, cniVersion: '0.3.1' },
      CniCode.INCOMPATIBLE_VERSION,
      'cniVersion "0.3.1"',
    ],
    ['no name', {}, { cniVersion: '1.1.0' }, CniCode.INVALID_NETWORK_CONFIG, 'name: required'],
    [
      'a name with a space',
      {},
      { ...CONFIG, name: 'my net' },
      CniCode.INVALID_NETWORK_CONFIG,
      'name "my net"',
    ],
    [
      'a network that is not text',
      {},
      { ...CONFIG, network: 7 },
      CniCode.INVALID_NETWORK_CONFIG,
      'network: required, a string',
    ],
    [
      'an agent on another machine',
      {},
      { ...CONFIG, agent: '10.0.0.1:7443' },
      CniCode.INVALID_NETWORK_CONFIG,
      'agent "10.0.0.1:7443"',
    ],
    [
      'an agent as a relative socket path',
      {},
      { ...CONFIG, agent: 'unix://run/a.sock' },
      CniCode.INVALID_NETWORK_CONFIG,
      'agent',
    ],
    [
      'an agent unix:PORT, a socket path that is not absolute',
      {},
      { ...CONFIG, agent: 'unix:7443' },
      CniCode.INVALID_NETWORK_CONFIG,
      'agent "unix:7443"',
    ],
    [
      'an agent on loopback with a port out of range',
      {},
      { ...CONFIG, agent: '127.0.0.1:70000' },
      CniCode.INVALID_NETWORK_CONFIG,
      'agent',
    ],
    [
      'three addresses',
      {},
      { ...CONFIG, runtimeConfig: { ips: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] } },
      CniCode.INVALID_NETWORK_CONFIG,
      'runtimeConfig.ips',
    ],
    [
      'an address that is not text',
      {},
      { ...CONFIG, args: { cni: { ips: [42] } } },
      CniCode.INVALID_NETWORK_CONFIG,
      'args.cni.ips',
    ],
    [
      'a MAC that is not text',
      {},
      { ...CONFIG, runtimeConfig: { mac: 42 } },
      CniCode.INVALID_NETWORK_CONFIG,
      'runtimeConfig.mac',
    ],
    [
      'runtimeConfig as a list',
      {},
      { ...CONFIG, runtimeConfig: [] },
      CniCode.INVALID_NETWORK_CONFIG,
      'runtimeConfig: an object',
    ],
    [
      'GC attachments that are not a list',
      { CNI_COMMAND: 'GC' },
      { ...CONFIG, 'cni.dev/valid-attachments': {} },
      CniCode.INVALID_NETWORK_CONFIG,
      'cni.dev/valid-attachments',
    ],
    [
      'a GC attachment without ifname',
      { CNI_COMMAND: 'GC' },
      { ...CONFIG, 'cni.dev/valid-attachments': [{ containerID: 'a' }] },
      CniCode.INVALID_NETWORK_CONFIG,
      'valid-attachments[0]',
    ],
  ])('refuses %s', (_, env, config, code, says) => {
    const err = refusal(env, config);
    expect({ code: err.code, message: err.message }).toEqual({
      code,
      message: expect.stringContaining(says),
    });
  });

  it('takes the local agent at its socket or on loopback, IPv6 included', () => {
    for (const agent of ['unix:///run/mvnet/agent.sock', '127.0.0.1:7443', 'localhost:7443', '[::1]:7443'])
      expect(readCniRequest(ENV, JSON.stringify({ ...CONFIG, agent })).config.agent).toBe(agent);
  });

  it('takes DEL without a netns (the runtime may have removed it), and GC and STATUS without a container', () => {
    expect(readCniRequest({ ...ENV, CNI_COMMAND: 'DEL', CNI_NETNS: '' }, JSON.stringify(CONFIG)).netns).toBe(
      '',
    );
    const gc = { CNI_COMMAND: 'GC', CNI_CONTAINERID: undefined, CNI_IFNAME: undefined, CNI_NETNS: undefined };
    const config = { ...CONFIG, 'cni.dev/valid-attachments': [{ containerID: 'a', ifname: 'eth0' }] };
    expect(readCniRequest(gc, JSON.stringify(config)).config.validAttachments).toEqual([
      { containerID: 'a', ifname: 'eth0' },
    ]);
    expect(readCniRequest({ ...gc, CNI_COMMAND: 'STATUS' }, JSON.stringify(CONFIG)).command).toBe('STATUS');
  });
});

describe("an attachment's endpoint name", () => {
  it('is cni- and 20 hex digits of sha256(container id/ifname): stable, within the 64-character rule', () => {
    const name = endpointName('f'.repeat(64), 'eth0');
    expect(name).toMatch(/^cni-[0-9a-f]{20}$/);
    expect(endpointName('f'.repeat(64), 'eth0')).toBe(name);
    expect(endpointName('f'.repeat(64), 'eth1')).not.toBe(name);
    // The separator keeps ("ab", "c/d") and ("ab/c", "d") apart: an ifname has no slash.
    expect(endpointName('a', 'b')).not.toBe(endpointName('a/b', ''));
  });
});
