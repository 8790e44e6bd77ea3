import v8 from 'node:v8';

/** V8's own factor (its default), by which the young generation grows when it does. */
const DEFAULT_GROWTH_FACTOR = 2;

/**
 * Keeps V8's young generation (its two semi-spaces, 1 MiB each at first) from growing until the
 * returned function is called; call it once the agent serves.
 *
 * V8 doubles the semi-spaces, up to 16 MiB of heap, when most objects survive a scavenge: that is
 * what a start is (modules and their code, the state read in, all kept), though it says nothing of
 * the work to come. Grown at start, the young generation stays so until V8's memory reducer shrinks
 * it, seconds later or not at all: ~6 MiB of the agent's idle memory (bench/memory). Held at its
 * first size, the survivors are promoted to the old generation a little sooner, where they belong;
 * after start it may grow again, for the bursts under load (a fan-out to many watchers, a large
 * Apply) that need it. The factor is read by V8 whenever the young generation would grow, so
 * setting it at run time takes effect (Node lets V8 flags change after start).
 */
export function holdYoungGeneration(): () => void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return () => v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
