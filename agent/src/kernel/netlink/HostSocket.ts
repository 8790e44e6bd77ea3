import { hostNetnsFile } from '../resolveNetns';
import { RtnlSocket } from './RtnlSocket';

/** The driver's one netlink socket in its host netns, made on first use, closed with the driver. */
export class HostSocket {
  private socket?: RtnlSocket;

  /** @param hostNetns the named netns that is the driver's host; the agent's own when undefined */
  constructor(private readonly hostNetns: string | undefined) {}

  get(): RtnlSocket {
    this.socket ??= RtnlSocket.open(hostNetnsFile(this.hostNetns));
    return this.socket;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
