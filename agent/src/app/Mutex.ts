/**
 * Serializes async critical sections: each `run` starts when the previous one has settled. The agent
 * takes it for every change of host state, so plans are made against a host that does not move.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
