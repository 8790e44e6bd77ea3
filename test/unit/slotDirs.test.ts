import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeDeadSlotDirs } from '../../agent/src/kernel/iproute2/NetnsLauncher';

describe("the launcher's slot directories left by agents that were killed", () => {
  it('are removed when their process is gone; those of live processes and other files stay', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-slots-'));
    try {
      const dead = spawnSync('true').pid!; // exited, and reaped, by the time spawnSync returns
      for (const name of [`mvnet-ip-${dead}-a1`, `mvnet-ip-${process.pid}-b2`, 'mvnet-ip-c3', 'other'])
        fs.mkdirSync(path.join(base, name, '0'), { recursive: true });
      removeDeadSlotDirs(base);
      expect(fs.readdirSync(base).sort()).toEqual([`mvnet-ip-${process.pid}-b2`, 'mvnet-ip-c3', 'other']);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
