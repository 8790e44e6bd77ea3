import { MultiBar, type SingleBar } from 'cli-progress';
import type { FleetProgress, HostRolloutState } from '../fleet/fleetTypes';
import { escapeUnprintable } from '../../../common/quoteText';
import type { CliIo } from './CliContext';

/** Shows a rollout's progress as it goes. */
export interface ProgressView {
  show(progress: FleetProgress): void;
  /** Ends the display (the last frame stays on the terminal). */
  stop(): void;
}

/** The width of the state column: the longest state, `Progressing`. */
const STATE_WIDTH = 11;

/** States a host leaves: the others are where a rollout left it. */
const UNDER_WAY: ReadonlySet<HostRolloutState> = new Set(['Pending', 'Progressing']);

/**
 * The rollout's progress on stderr: a live display when stderr is a terminal (io.terminal), else one
 * plain line per event (progressLine), so that a log or a pipe gets every step. `hostNames` sets the
 * width of the host column; `canary` whether wave 0 is the canary.
 */
export function progressView(io: CliIo, hostNames: readonly string[], canary: number): ProgressView {
  const width = Math.max(4, ...hostNames.map((name) => name.length));
  if (io.terminal) return new TerminalProgress(io.terminal, width, canary);
  return { show: (p) => io.stderr(progressLine(p, width, canary)), stop: () => undefined };
}

/** A wave as people read it: `canary` (wave 0 when there is one), `wave 2`, `unchanged` (-1: hosts left alone). */
export function waveLabel(wave: number, canary: number): string {
  if (wave < 0) return 'unchanged';
  return wave === 0 && canary > 0 ? 'canary' : `wave ${wave}`;
}

/** One progress event as a plain line: `h2    wave 1     Progressing  applying`. */
export function progressLine(p: FleetProgress, hostWidth: number, canary: number): string {
  return `${p.host.padEnd(hostWidth)}  ${waveLabel(p.wave, canary).padEnd(9)}  ${hostCells(p.state, p.message)}\n`;
}

/** A host's line in the live display, under its wave: `  h2    Progressing  applying`. */
export function hostDisplayLine(
  host: string,
  hostWidth: number,
  state: HostRolloutState,
  message: string,
): string {
  return `  ${host.padEnd(hostWidth)}  ${hostCells(state, message)}`;
}

/**
 * A wave's line in the live display: its label, how many of its hosts are done, and the count of each
 * state in the order first seen: `wave 1     1/2 done: 1 Available, 1 Progressing`.
 */
export function waveDisplayLine(label: string, states: readonly HostRolloutState[]): string {
  const counts = new Map<HostRolloutState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const done = states.filter((s) => !UNDER_WAY.has(s)).length;
  const tally = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  return `${label.padEnd(9)}  ${done}/${states.length} done: ${tally}`;
}

function hostCells(state: HostRolloutState, message: string): string {
  return `${state.padEnd(STATE_WIDTH)}  ${escapeUnprintable(message)}`.trimEnd();
}

/** One line per wave and, under it, one per host, redrawn in place by cli-progress (its bars unused). */
class TerminalProgress implements ProgressView {
  private readonly display: MultiBar;
  private readonly waves = new Map<number, { line: SingleBar; hosts: string[] }>();
  private readonly hosts = new Map<string, { line: SingleBar; state: HostRolloutState }>();

  constructor(
    stream: NonNullable<CliIo['terminal']>,
    private readonly hostWidth: number,
    private readonly canary: number,
  ) {
    this.display = new MultiBar({
      stream,
      format: (_options, _params, payload: { line: string }) => payload.line,
      hideCursor: true,
      fps: 10,
    });
  }

  show(p: FleetProgress): void {
    let wave = this.waves.get(p.wave);
    if (!wave) {
      wave = { line: this.display.create(1, 0, { line: '' }), hosts: [] };
      this.waves.set(p.wave, wave);
    }
    let host = this.hosts.get(p.host);
    if (!host) {
      host = { line: this.display.create(1, 0, { line: '' }), state: p.state };
      this.hosts.set(p.host, host);
      wave.hosts.push(p.host);
    }
    host.state = p.state;
    host.line.update({ line: hostDisplayLine(p.host, this.hostWidth, p.state, p.message) });
    const states = wave.hosts.map((name) => this.hosts.get(name)!.state);
    wave.line.update({ line: waveDisplayLine(waveLabel(p.wave, this.canary), states) });
  }

  stop(): void {
    this.display.stop();
  }
}
