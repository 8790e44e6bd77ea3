/**
 * Part 3, mutations beside a stalled watcher: CreateNetwork + DeleteNetwork pairs, one at a time
 * through one client, timed from the first request to the second reply. Blocks without any watcher
 * and blocks with one stalled watcher (see StalledWatcher) alternate A B B A..., after uncounted
 * warm-up pairs. Each stalled block opens a fresh stalled watcher, and is long enough for its queue in
 * the agent to overflow partway through; at the block's end the watcher reads again, which tells
 * where it stalled and how the agent ended it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { AgentServiceClient } from './watchAgent';
import { MUTATION_GATEWAY, MUTATION_SUBNET } from './watchLayout';
import { StalledOutcome, StalledWatcher } from './watchStalledWatcher';

export interface MutationOptions {
  pairsPerBlock: number;
  /** Blocks per condition. */
  blocks: number;
  warmupPairs: number;
  /** Between blocks: the agent's clean-up of a closed stream stays out of the next block. */
  pauseMs: number;
}

export type Condition = 'no watcher' | 'stalled watcher';

/** One timed pair: its time in ms, and the revision of its DeleteNetwork. */
export interface PairTiming {
  ms: number;
  revision: number;
}

export interface MutationBlock {
  condition: Condition;
  pairs: PairTiming[];
  /** For a stalled block: what became of its watcher. */
  stalled?: StalledOutcome;
}

/** Makes and deletes networks `wb-0`, `wb-1`... on the host's eth0, all with one subnet. */
class PairMaker {
  private next = 0;

  constructor(private readonly client: AgentServiceClient) {}

  async timePair(): Promise<PairTiming> {
    const name = `wb-${this.next++}`;
    const start = process.hrtime.bigint();
    await this.client.createNetwork({
      network: {
        name,
        parent: 'eth0',
        mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
        subnets: [{ cidr: MUTATION_SUBNET, gateway: MUTATION_GATEWAY }],
      },
    });
    const { revision } = await this.client.deleteNetwork({ name });
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, revision };
  }

  async timePairs(count: number): Promise<PairTiming[]> {
    const pairs: PairTiming[] = [];
    for (let i = 0; i < count; i++) pairs.push(await this.timePair());
    return pairs;
  }
}

/** One block of `count` pairs under `condition`. */
async function runBlock(
  address: string,
  maker: PairMaker,
  condition: Condition,
  count: number,
): Promise<MutationBlock> {
  if (condition === 'no watcher') return { condition, pairs: await maker.timePairs(count) };
  const watcher = await StalledWatcher.open(address);
  let pairs: PairTiming[];
  try {
    pairs = await maker.timePairs(count);
  } catch (err) {
    watcher.close();
    throw err;
  }
  return { condition, pairs, stalled: await watcher.finish(1000) };
}

/** Runs part 2: the warm-up, then the blocks in A B B A order. */
export async function measureMutations(
  address: string,
  client: AgentServiceClient,
  o: MutationOptions,
  progress: (line: string) => void,
): Promise<MutationBlock[]> {
  const maker = new PairMaker(client);
  await maker.timePairs(o.warmupPairs);
  const blocks: MutationBlock[] = [];
  for (let i = 0; i < o.blocks; i++) {
    const order: Condition[] =
      i % 2 === 0 ? ['no watcher', 'stalled watcher'] : ['stalled watcher', 'no watcher'];
    for (const condition of order) {
      await sleep(o.pauseMs);
      const block = await runBlock(address, maker, condition, o.pairsPerBlock);
      blocks.push(block);
      const s = block.stalled;
      const note = s ? `; its watcher: ${s.buffered} events buffered, then ${s.ending}` : '';
      progress(`  block ${blocks.length} (${condition}): ${o.pairsPerBlock} pairs${note}`);
    }
  }
  return blocks;
}
