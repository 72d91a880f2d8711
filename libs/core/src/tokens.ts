// The DI tokens a component constructor can @inject() when a registry builds it. Symbol.for() keys live in the
// global symbol registry, so a plugin that bundles its own copy of @zls/core still resolves the same tokens.
export const TOKENS = {
  /** The component's validated options instance (also registered under its own options class). */
  Options: Symbol.for('zls.Options'),
  /** The run's ComponentContext: seed and, for a head, the backbone's channel widths. Always registered. */
  RunContext: Symbol.for('zls.RunContext'),
  /** The experiment's ClassSpace, registered when the builder has one. */
  ClassSpace: Symbol.for('zls.ClassSpace'),
} as const;

export type TokenName = keyof typeof TOKENS;
