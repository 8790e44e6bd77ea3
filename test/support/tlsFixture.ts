/**
 * What the TLS tests share: a throwaway PKI (the agents' CA, another CA, a server certificate, client
 * certificates for an operator, a viewer, a user without a role and one without a CN), a token file
 * and an authorization file, and agents started in-process on loopback (a real gRPC server over TCP,
 * on the in-memory kernel) whose log lines the tests read.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { startAgent, type AgentOptions, type RunningAgent } from '../../agent/src/startAgent';
import { TestCa, type CertPair } from './testPki';

export interface TlsFixture {
  dir: string;
  ca: TestCa;
  otherCa: TestCa;
  server: CertPair;
  /** Signed by `ca`: CN=orchestrator (operator), CN=monitor (viewer), CN=stranger (no role), no CN. */
  orchestrator: CertPair;
  monitor: CertPair;
  stranger: CertPair;
  noCn: CertPair;
  /** CN=orchestrator, signed by `otherCa`. */
  impostor: CertPair;
  /** In the token file: orchestrator's and monitor's. */
  operatorToken: string;
  viewerToken: string;
  tokenFile: string;
  authorizationFile: string;
  cleanup(): void;
}

/** Makes the certificates and files in a fresh temp dir. */
export function makeTlsFixture(): TlsFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-tls-'));
  const ca = new TestCa(dir, 'main');
  const otherCa = new TestCa(dir, 'other');
  const operatorToken = crypto.randomBytes(24).toString('base64url');
  const viewerToken = crypto.randomBytes(24).toString('base64url');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokenFile, `${operatorToken},orchestrator,1001\n${viewerToken},monitor,1002,"viewers"\n`);
  const authorizationFile = path.join(dir, 'authorization.yaml');
  fs.writeFileSync(authorizationFile, 'viewer: [monitor]\noperator: [orchestrator]\n');
  return {
    dir,
    ca,
    otherCa,
    server: ca.server('server'),
    orchestrator: ca.client('orchestrator', '/CN=orchestrator'),
    monitor: ca.client('monitor', '/CN=monitor'),
    stranger: ca.client('stranger', '/CN=stranger'),
    noCn: ca.client('nocn', '/O=mvnet'),
    impostor: otherCa.client('impostor', '/CN=orchestrator'),
    operatorToken,
    viewerToken,
    tokenFile,
    authorizationFile,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** An in-process agent and every line it logged. */
export interface LoggedAgent {
  agent: RunningAgent;
  logs: Record<string, unknown>[];
  /** The audit lines so far. */
  audit(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts an agent on 127.0.0.1 (any free port) with an in-memory kernel that has an eth0. */
export async function startLoggedAgent(
  options: Omit<AgentOptions, 'listen' | 'stateDir' | 'logger'> & { listen?: AgentOptions['listen'] },
): Promise<LoggedAgent> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-tls-state-'));
  const logs: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) };
  const agent = await startAgent({
    listen: '127.0.0.1:0',
    ...options,
    stateDir,
    logger: pino({ level: 'info' }, stream),
    driver: new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] }),
  }).catch((err) => {
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw err;
  });
  return {
    agent,
    logs,
    audit: () => logs.filter((l) => l.msg === 'audit'),
    close: async () => {
      await agent.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * The agent options of the two setups the tests use, with the fixture's token and authorization
 * files: `mutual` (--tlsverify with the fixture's CA) and `serverOnly` (TLS without client
 * certificates: tokens are the only credentials).
 */
export function tlsAgentOptions(pki: TlsFixture, setup: 'mutual' | 'serverOnly'): Partial<AgentOptions> {
  const options = {
    tlsCert: pki.server.cert,
    tlsKey: pki.server.key,
    tokenAuthFile: pki.tokenFile,
    authorizationFile: pki.authorizationFile,
  };
  return setup === 'mutual' ? { ...options, tlsVerify: true, tlsCaCert: pki.ca.cert } : options;
}

/** A network spec on the in-memory kernel's eth0, unique per name. */
export function networkSpec(name: string, octet: number) {
  return {
    name,
    parent: 'eth0',
    subnets: [{ cidr: `10.${octet}.0.0/24`, gateway: `10.${octet}.0.1`, ipRange: '', auxAddresses: {} }],
  };
}
