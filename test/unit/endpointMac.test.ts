import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveMac } from '../../agent/src/domain/endpointMac';
import { Store } from '../../agent/src/store/Store';

describe("an endpoint's derived MAC", () => {
  const dirs: string[] = [];
  const stateDir = () => {
    dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-mac-')));
    return dirs[dirs.length - 1];
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('is a locally administered unicast address, the same for the same host, network and endpoint', () => {
    const mac = deriveMac('mvnet', 'web', '0123456789abcdef');
    expect(mac).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
    expect(deriveMac('mvnet', 'web', '0123456789abcdef')).toBe(mac);
    expect(deriveMac('mvnet', 'db', '0123456789abcdef')).not.toBe(mac);
  });

  it("differs between hosts for the same names, and keeps across the host's restarts (its id is in its state)", () => {
    const dir = stateDir();
    const h1 = Store.open(dir);
    const h2 = Store.open(stateDir());
    const id = h1.hostId();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(deriveMac('mvnet', 'web', id)).not.toBe(deriveMac('mvnet', 'web', h2.hostId()));
    h1.close();
    h2.close();
    const again = Store.open(dir);
    expect(again.hostId()).toBe(id);
    again.close();
  });
});
