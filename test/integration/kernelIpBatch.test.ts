/**
 * The long-lived `ip -batch` process on the real kernel, in a throwaway netns: how it tells when a
 * command ended and whether it failed, and how it survives ip's own exits. Needs root.
 */
import { IpBatch } from '../../agent/src/kernel/iproute2/IpBatch';
import { KernelError } from '../../agent/src/domain/errors';
import { runCommand } from '../../agent/src/kernel/iproute2/runCommand';
import { addNetns, addVethPair, deleteNetns } from '../../tools/netns';
import { uniqueNetnsName } from '../support/netnsPrefix';

describe('IpBatch', () => {
  let netns: string;
  let batch: IpBatch;

  beforeEach(async () => {
    netns = uniqueNetnsName('batch');
    await addNetns(netns);
    await addVethPair('eth0', netns, 'peer0', netns);
    batch = new IpBatch(['ip', '-n', netns]);
  });

  afterEach(async () => {
    await batch.close();
    await deleteNetns(netns);
  });

  it("tells a command's success from its failure, with the failure's own stderr", async () => {
    const add = 'link add link eth0 name mv0 type macvlan mode bridge';
    expect(await batch.run(add)).toMatchObject({ exitCode: 0, stderr: '' });
    const again = await batch.run(add);
    expect(again).toMatchObject({ exitCode: 1, stderr: 'RTNETLINK answers: File exists' });
    expect(again.argv.slice(-1)).toEqual([add]);
    expect(await batch.run('link set dev mv0 up')).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('gives each JSON show its own line, also when shows fail in between and callers do not wait', async () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 1 ? `link show dev nope${i}` : 'link show dev eth0',
    );
    const results = await Promise.all(lines.map((line) => batch.run(line, true)));
    results.forEach((r, i) => {
      if (i % 3 === 1) {
        expect(r).toMatchObject({ exitCode: 1, stdout: '', stderr: `Device "nope${i}" does not exist.` });
      } else {
        expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ ifname: 'eth0' })]);
      }
    });
  });

  it('runs a command again in a fresh ip when the link it names was deleted and made anew behind its back', async () => {
    const add = 'link add link eth0 name mv0 type macvlan mode bridge';
    expect((await batch.run(add)).exitCode).toBe(0);
    expect((await batch.run('link show', true)).exitCode).toBe(0); // ip now remembers mv0's index
    await runCommand(['ip', '-n', netns, 'link', 'del', 'dev', 'mv0']);
    await runCommand(['ip', '-n', netns, ...add.split(' ')]);
    expect(await batch.run('link set dev mv0 alias mvnet:x')).toMatchObject({ exitCode: 0, stderr: '' });
    const shown = await runCommand(['ip', '-n', netns, '-j', 'link', 'show', 'dev', 'mv0']);
    expect(JSON.parse(shown.stdout)[0].ifalias).toBe('mvnet:x');
    // A link that is really gone still fails, in ip's words.
    await runCommand(['ip', '-n', netns, 'link', 'del', 'dev', 'mv0']);
    expect(await batch.run('link set dev mv0 up')).toMatchObject({
      exitCode: 1,
      stderr: 'Cannot find device "mv0"',
    });
  });

  it('answers "does not exist" for a link deleted behind its back, though ip ends itself on the stale index', async () => {
    const add = 'link add link eth0 name mv0 type macvlan mode bridge';
    expect((await batch.run(add)).exitCode).toBe(0);
    expect((await batch.run('link show dev mv0', true)).exitCode).toBe(0); // ip now remembers mv0's index
    await runCommand(['ip', '-n', netns, 'link', 'del', 'dev', 'mv0']);
    expect(await batch.run('link show dev mv0', true)).toMatchObject({
      exitCode: 1,
      stderr: 'Device "mv0" does not exist.',
    });
    expect((await batch.run('link show dev eth0', true)).exitCode).toBe(0);
  });

  it('survives ip ending itself on a line it cannot parse: that command fails, the next runs', async () => {
    const broken = await batch.run('link set dev eth0 bogus');
    expect(broken.exitCode).not.toBe(0);
    expect(broken.stderr).toContain('"bogus" is a garbage');
    expect((await batch.run('link show dev eth0', true)).exitCode).toBe(0);
  });

  it('refuses a line that would carry a second command, without writing anything', async () => {
    await expect(batch.run('link show dev eth0\nlink del dev eth0')).rejects.toThrow(KernelError);
    expect((await batch.run('link show dev eth0', true)).exitCode).toBe(0);
  });

  it('fails a command without an answer after its timeout, and drops the stuck process', async () => {
    const stuck = new IpBatch(['sh', '-c', 'exec sleep 30', 'ip'], { timeoutMs: 200 });
    const r = await stuck.run('link show');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toBe('ip gave no answer within 200 ms');
    await stuck.close();
  });

  it('fails with a KernelError when ip cannot be run at all', async () => {
    const missing = new IpBatch(['/nonexistent/ip']);
    await expect(missing.run('link show')).rejects.toThrow(/^cannot run \/nonexistent\/ip: .*ENOENT/);
    await missing.close();
  });

  it('refuses commands once closed', async () => {
    await batch.close();
    await expect(batch.run('link show')).rejects.toThrow('cannot run ip: the driver is closed');
  });

  it('runs 200 commands in a row through one process, each answered in order', async () => {
    for (let i = 0; i < 200; i++) {
      const r = await batch.run(`link add link eth0 name m${i} type macvlan mode bridge`);
      expect(r.exitCode).toBe(0);
    }
    const shown = await batch.run('link show', true);
    const names = (JSON.parse(shown.stdout) as { ifname: string }[]).map((l) => l.ifname);
    expect(names.filter((n) => /^m\d+$/.test(n))).toHaveLength(200);
  });
});
