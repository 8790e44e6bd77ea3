import fs from 'node:fs';
import path from 'node:path';

/** A time of day as the logs show it, to the millisecond (the lab's clock, UTC). */
export function clock(time: number | Date = Date.now()): string {
  return new Date(time).toISOString().slice(11, 23);
}

/**
 * The readable record a lab run leaves in its log dir: `steps.log` (every step of every scenario, a
 * sentence each, also echoed to stdout when asked) and `orchestrator.log` (every SDK call and CLI
 * command the orchestrator issued, with its outcome, under the step it belongs to). Agents write their
 * own `agent-<host>.log` (hostAgents.ts). Files are appended to, so a second boot (a reboot phase)
 * continues them.
 */
export class LabLog {
  /** The scenario now running, shown in every line; empty between scenarios. */
  scenario = '';

  constructor(
    readonly dir: string,
    private readonly echo: boolean,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  get stepsFile(): string {
    return path.join(this.dir, 'steps.log');
  }

  get orchestratorFile(): string {
    return path.join(this.dir, 'orchestrator.log');
  }

  agentFile(host: string): string {
    return path.join(this.dir, `agent-${host}.log`);
  }

  /** A step of the scenario: what it does or checks next, as a sentence. */
  step(text: string): void {
    this.note(text);
    this.append(this.orchestratorFile, `${clock()} ${this.tag()}--- ${text}`);
  }

  /** A line of steps.log (and stdout) that is not a step: a scenario's start and result, timings. */
  note(text: string): void {
    const line = `${clock()} ${this.tag()}${text}`;
    this.append(this.stepsFile, line);
    if (this.echo) process.stdout.write(`${line}\n`);
  }

  /** A line of orchestrator.log: a call or a command to one host, and what came of it. */
  command(host: string, text: string): void {
    this.append(this.orchestratorFile, `${clock()} ${this.tag()}${host} ${text}`);
  }

  /** The last `count` lines of orchestrator.log, for a failure's message. */
  orchestratorTail(count: number): string[] {
    try {
      return fs.readFileSync(this.orchestratorFile, 'utf8').trimEnd().split('\n').slice(-count);
    } catch {
      return [];
    }
  }

  private tag(): string {
    return this.scenario === '' ? '' : `[${this.scenario}] `;
  }

  private append(file: string, line: string): void {
    fs.appendFileSync(file, `${line}\n`);
  }
}
