import type { ClassSpace } from './class-space';

/**
 * What the run tells a component as a registry builds it (TOKENS.RunContext; TOKENS.ClassSpace holds the class
 * space on its own). Every field may be absent: a component built outside a run falls back to its options.
 */
export interface ComponentContext {
  /** The run's seed; a component's own `seed` option, when a config sets it, takes precedence. */
  readonly seed?: number;
  readonly classSpace?: ClassSpace;
  /** For a head: the backbone's outputChannels, so the head can create its weights in the constructor. */
  readonly inputChannels?: number;
  /** For a head: the backbone's lowLevelChannels (decoders such as DeepLabv3+). */
  readonly lowLevelChannels?: number;
}
