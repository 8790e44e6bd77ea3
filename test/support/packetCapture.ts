/**
 * A capture of the frames a link receives, taken in its netns by Debian's python3 (an AF_PACKET
 * socket of its own, ETH_P_ALL): a witness that shares no code with the agent's packet sockets.
 * The link's own transmissions are left out.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';

/** One received frame, its Ethernet header read. */
export interface CapturedFrame {
  destination: string;
  source: string;
  etherType: number;
  /** What follows the Ethernet header. */
  payload: Buffer;
}

export interface PacketCapture {
  /** The frames read so far, in order (python reads them a little after the link receives them). */
  received(): CapturedFrame[];
  /** Ends the capture; the frames received since it started, in order. */
  stop(): Promise<CapturedFrame[]>;
}

const CAPTURE = `
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
print('ready', flush=True)
while True:
    frame, address = s.recvfrom(65535)
    if address[2] != socket.PACKET_OUTGOING:
        print(frame.hex(), flush=True)
`;

const macOf = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

function frameOf(hex: string): CapturedFrame {
  const b = Buffer.from(hex, 'hex');
  return {
    destination: macOf(b.subarray(0, 6)),
    source: macOf(b.subarray(6, 12)),
    etherType: b.readUInt16BE(12),
    payload: b.subarray(14),
  };
}

/** Starts capturing what `link` in netns `ns` receives; resolves once the capture socket is bound. */
export function capturePackets(ns: string, link: string): Promise<PacketCapture> {
  const child = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', CAPTURE, link], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const frames: CapturedFrame[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`the capture on ${link} in ${ns} ended: ${stderr}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line !== 'ready') return void frames.push(frameOf(line));
      resolve({
        received: () => [...frames],
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
          return frames;
        },
      });
    });
  });
}
