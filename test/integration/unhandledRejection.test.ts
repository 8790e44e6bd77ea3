import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient } from '../../client/src';
import { spawnAgent } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { waitFor } from '../support/waitFor';

describe('a promise nobody awaited fails inside the agent', () => {
  let host: NetnsHost;
  let dir: string;

  beforeAll(async () => {
    host = await makeNetnsHost('reject');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-reject-'));
  });
  afterAll(async () => {
    await host.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is logged, and the agent stays up and serves', async () => {
    // Loaded into the agent's process before its own code: a rejection nobody handles, once it serves.
    const preload = path.join(dir, 'reject.js');
    fs.writeFileSync(
      preload,
      "setTimeout(() => { Promise.reject(new Error('a bug: nobody awaited this')); }, 1500).unref();\n",
    );
    const agent = await spawnAgent({
      stateDir: path.join(dir, 'state'),
      netns: host.ns,
      env: { NODE_OPTIONS: `--require ${preload}` },
    });
    const client = new AgentClient({ host: agent.address });
    try {
      const logged = await waitFor('the rejection in the log', () =>
        agent.logs.find((l) => String(l.msg).startsWith('unhandled promise rejection')),
      );
      expect(logged).toMatchObject({ level: 50, err: { message: 'a bug: nobody awaited this' } });
      await new Promise((r) => setTimeout(r, 200));
      expect((await client.listNetworks()).networks).toEqual([]);
    } finally {
      client.close();
      expect(await agent.stop()).toBe(0);
    }
  });
});
