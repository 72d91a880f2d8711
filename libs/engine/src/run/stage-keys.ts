import { configHash, type Plain } from '@zls/core';

/**
 * A stage's identity: the hash of everything that decides its result. Runs that share a stage (every method
 * starts from the same SPNet for a seed; 2-round runs share their first round with 1-round runs) find its
 * finished checkpoint under the same key and skip the work.
 */
export function baseStageKey(config: Plain, label = 'spnet'): string {
  const pick = (k: string) => config[k] ?? null;
  return `${label}-${configHash({ label, dataset: pick('dataset'), splits: pick('splits'), transforms: pick('transforms'), model: pick('model'), train: pick('train'), seed: pick('seed') })}`;
}

export function roundStageKey(previousKey: string, config: Plain, round: number): string {
  const st = (config['selfTraining'] ?? {}) as Plain;
  return `round${round}-${configHash({ previousKey, round, pseudoLabel: st['pseudoLabel'] ?? null, labelling: st['labelling'] ?? null, train: st['train'] ?? null })}`;
}

/** ZS3Net's generative stage on top of a supervised stage. */
export function generativeStageKey(previousKey: string, config: Plain): string {
  return `zs3-${configHash({ previousKey, generative: config['generative'] ?? null })}`;
}

/** SPNet-c's second SPNet, trained with calibration.heldOutClasses hidden (the held-out-seen rule). */
export function heldOutStageKey(config: Plain, calibration: unknown): string {
  return baseStageKey({ ...config, calibration: calibration as Plain }, 'spnet-held-out');
}
