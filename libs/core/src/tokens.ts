// One DI token per component kind. Symbol.for() keys live in the global symbol registry, so a plugin that
// bundles its own copy of @zls/core still resolves the same tokens as the host.
export const TOKENS = {
  Options: Symbol.for('zls.Options'),
  Backend: Symbol.for('zls.Backend'),
  Dataset: Symbol.for('zls.Dataset'),
  ClassSpace: Symbol.for('zls.ClassSpace'),
  Transform: Symbol.for('zls.Transform'),
  Backbone: Symbol.for('zls.Backbone'),
  Head: Symbol.for('zls.Head'),
  Model: Symbol.for('zls.Model'),
  PseudoLabeler: Symbol.for('zls.PseudoLabeler'),
  Evaluator: Symbol.for('zls.Evaluator'),
  Trainer: Symbol.for('zls.Trainer'),
  Reporter: Symbol.for('zls.Reporter'),
  Logger: Symbol.for('zls.Logger'),
  RunContext: Symbol.for('zls.RunContext'),
} as const;

export type TokenName = keyof typeof TOKENS;
