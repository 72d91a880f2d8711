import { ConfigError, ZlsError, type ExperimentSchema, type Plain } from '@zls/core';
import type { RunServices } from './run-context';
import type { RunStage } from './run-stage';
import { CalibrationStage } from './stages/calibration-stage';
import { FeatureGenerationStage } from './stages/feature-generation-stage';
import { SelfTrainingRound } from './stages/self-training-round';
import { SupervisedStage } from './stages/supervised-stage';

/** What decides which stages an experiment runs. */
export interface PipelineSetup {
  experiment: ExperimentSchema;
  /** The raw config (for keys only). */
  config: Plain;
  services: RunServices;
}

/**
 * A kind of stage: the stages of this kind an experiment runs, in order (none: it runs none). A plugin adds one
 * with registries.of('stage').register(kind, Class, Options, description, origin): the composition root
 * constructs the class and places it after the kind it names in `after` (absent: at the end).
 */
export interface StageKind {
  readonly kind: string;
  /** The kind this one runs after. */
  readonly after?: string;
  stagesFor(setup: PipelineSetup): RunStage[];
}

/** The stage kinds of a run, in pipeline order. */
export class StageRegistry {
  private readonly entries: StageKind[] = [];

  register(kind: StageKind): this {
    if (this.entries.some((k) => k.kind === kind.kind)) throw new ZlsError(`stage kind "${kind.kind}" is already registered`);
    if (kind.after === undefined) {
      this.entries.push(kind);
      return this;
    }
    const at = this.entries.findIndex((k) => k.kind === kind.after);
    if (at < 0) throw new ZlsError(`stage kind "${kind.kind}" runs after "${kind.after}", which is not registered (registered: ${this.kinds().join(', ')})`);
    // After that kind and after any kind already placed behind it, so registration order is kept.
    let end = at + 1;
    while (end < this.entries.length && this.entries[end].after === kind.after) end++;
    this.entries.splice(end, 0, kind);
    return this;
  }

  kinds(): string[] {
    return this.entries.map((k) => k.kind);
  }

  /** The stages one experiment runs, in order. */
  pipeline(setup: PipelineSetup): RunStage[] {
    return this.entries.flatMap((k) => k.stagesFor(setup));
  }
}

/** SPNet's supervised stage: every run starts with it. */
export const SUPERVISED_KIND: StageKind = { kind: 'supervised', stagesFor: () => [new SupervisedStage()] };

/** ZS3Net's feature generation, when the composition root built a generator (the config's `generative`). */
export const FEATURE_GENERATION_KIND: StageKind = {
  kind: 'feature-generation',
  stagesFor: ({ services }) => (services.featureGeneration ? [new FeatureGenerationStage(services.featureGeneration)] : []),
};

/** selfTraining.rounds rounds, each student the next round's generator. */
export const SELF_TRAINING_KIND: StageKind = {
  kind: 'self-training-round',
  stagesFor: ({ experiment, services }) => {
    const rounds = experiment.selfTraining.rounds;
    if (rounds === 0) return [];
    const labeler = services.labeler;
    if (!labeler) throw new ConfigError([{ path: 'selfTraining.pseudoLabel', message: 'required when rounds > 0' }]);
    return Array.from({ length: rounds }, (_, i) => new SelfTrainingRound(i + 1, labeler));
  },
};

/** SPNet-c's calibration of the chain's final model, unless calibration.rule is none. */
export const CALIBRATION_KIND: StageKind = {
  kind: 'calibration',
  stagesFor: ({ experiment }) => {
    const rule = experiment.calibration.rule;
    return rule === 'none' ? [] : [new CalibrationStage(rule)];
  },
};

/** The built-in pipeline: supervised, feature generation, self-training rounds, calibration. */
export function builtInStages(): StageRegistry {
  return new StageRegistry().register(SUPERVISED_KIND).register(FEATURE_GENERATION_KIND).register(SELF_TRAINING_KIND).register(CALIBRATION_KIND);
}
