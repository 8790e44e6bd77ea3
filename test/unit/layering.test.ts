import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The layering of DESIGN.md (api → app → domain ← store, kernel) is enforced by lint
 * (eslint.layers.js): each import below, written in a file of the given layer, must fail `npm run lint`
 * — or pass it, for the ones that run the right way.
 */
const root = path.join(__dirname, '../..');
// The project's own config, handed over as an object: ESLint's loading of a config file takes a
// dynamic import(), which jest's CommonJS runtime does not offer.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(root, 'eslint.config.js')) as ESLint.Options['overrideConfig'];
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: `agent/src/${file}` });
  return result.messages
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

const refused: [string, string][] = [
  ['domain/planNetwork.ts', "import { Store } from '../store/Store';"],
  ['domain/ports/LinkDriver.ts', "import { LinuxDriver } from '../../kernel/LinuxDriver';"],
  ['domain/model.ts', "import { NetworkService } from '../app/NetworkService';"],
  ['domain/model.ts', "import { errorStatusMiddleware } from '../api/errorStatus';"],
  ['domain/ipam.ts', "import fs from 'node:fs';"],
  ['domain/ipam.ts', "import type { Logger } from 'pino';"],
  ['domain/ipam.ts', "import { faultPoint } from '../faultPoint';"],
  ['domain/model.ts', "import type { Network } from '../../../proto/gen/mvnet/v1/network';"],
  ['app/NetworkService.ts', "import { Store } from '../store/Store';"],
  ['app/NetworkService.ts', "import { LinuxDriver } from '../kernel/LinuxDriver';"],
  ['app/NetworkService.ts', "import { toServerError } from '../api/errorStatus';"],
  ['app/NetworkService.ts', "import { Status } from 'nice-grpc';"],
  ['app/NetworkService.ts', "import execa from 'execa';"],
  ['app/NetworkService.ts', "import { startAgent } from '../startAgent';"],
  ['api/agentServiceImpl.ts', "import { Store } from '../store/Store';"],
  ['api/agentServiceImpl.ts', "import { MemoryDriver } from '../kernel/memory/MemoryDriver';"],
  ['store/Store.ts', "import { LinuxDriver } from '../kernel/LinuxDriver';"],
  ['store/Store.ts', "import { Mutex } from '../app/Mutex';"],
  ['kernel/netlink/RtnlSocket.ts', "import { EndpointService } from '../../app/EndpointService';"],
  ['kernel/LinuxDriver.ts', "import { Store } from '../store/Store';"],
  ['kernel/LinuxDriver.ts', "import Database from 'better-sqlite3';"],
];

const allowed: [string, string][] = [
  ['app/NetworkService.ts', "import { planNetworkCreation } from '../domain/planNetwork';"],
  ['app/NetworkService.ts', "import type { HostState } from '../domain/ports/HostState';"],
  ['api/agentServiceImpl.ts', "import type { HostServices } from '../app/createHostServices';"],
  ['store/Store.ts', "import type { HostState } from '../domain/ports/HostState';"],
  ['kernel/netlink/RtnlSocket.ts', "import { KernelError } from '../../domain/errors';"],
  ['kernel/LinuxDriver.ts', "import execa from 'execa';"],
  ['startAgent.ts', "import { Store } from './store/Store';"],
];

describe('the layering lint rule', () => {
  it.each(refused)('refuses, in agent/src/%s: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1);
  });

  it.each(allowed)('allows, in agent/src/%s: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });

  it('keeps the SDK and the CLI off the agent', async () => {
    const [result] = await eslint.lintText("import { Store } from '../../agent/src/store/Store';\n", {
      filePath: 'client/src/AgentClient.ts',
    });
    expect(result.messages.map((m) => m.ruleId)).toContain('@typescript-eslint/no-restricted-imports');
  });
});
