import * as tf from '@tensorflow/tfjs';
import { ConfigError, SeededRng, type FeatureGenerationContext, type FeatureGenerationStage, type SegmentationModel, type TrainingBatch } from '@zls/core';
import { LinearScorer } from '../model/scorers';
import { SegmentationNet } from '../model/segmentation-net';
import { FeaturePool, collectFeaturePool } from './feature-pool';
import { GmmnGeneratorOptions, type GmmnGenerator } from './gmmn-generator';
import { classifierTrainer, generatorTrainer, type Zs3StepTrainer } from './zs3-step-trainers';

/** The classifier's step count: its epochs of the training set at classifierBatchImages, or classifierIterations. */
export function classifierSteps(o: Pick<GmmnGeneratorOptions, 'classifierEpochs' | 'classifierBatchImages' | 'classifierIterations'>, trainingImages: number): number {
  if (!(o.classifierEpochs > 0)) return o.classifierIterations;
  return Math.max(1, Math.ceil((o.classifierEpochs * trainingImages) / o.classifierBatchImages));
}

async function* countImages(batches: AsyncIterable<TrainingBatch>, add: (n: number) => void): AsyncIterable<TrainingBatch> {
  for await (const b of batches) {
    add(b.ids.length);
    yield b;
  }
}

/**
 * ZS3Net's stage 2 without unseen labels: (1) pool real features of seen pixels from the frozen network;
 * (2) train the GMMN so that, per seen class, generated features match real ones in MMD; (3) re-initialise
 * the 1×1 classifier and train it on real seen features plus generated unseen ones (class weight
 * `unseenWeight` on unseen classes). ZS3Net instead places generated features on the pixels its ground
 * truth marks unseen; that leak is not reproduced (useUnseenGroundTruthMasks is refused here).
 */
export class GmmnFeatureGenerationStage implements FeatureGenerationStage {
  private readonly options: GmmnGeneratorOptions;

  constructor(private readonly generator: GmmnGenerator) {
    this.options = Object.assign(new GmmnGeneratorOptions(), generator.options);
  }

  async run(model: SegmentationModel, trainingSet: AsyncIterable<TrainingBatch>, context: FeatureGenerationContext): Promise<void> {
    const o = this.options;
    if (!(model instanceof SegmentationNet) || !(model.scorer instanceof LinearScorer)) {
      throw new ConfigError([{ path: 'model.classifier', message: "ZS3Net's generative stage retrains a learnt classifier: set model.classifier: linear" }]);
    }
    const scorer = model.scorer;
    if (o.useUnseenGroundTruthMasks) throw new ConfigError([{ path: 'generative.useUnseenGroundTruthMasks', message: 'this stage never reads unseen labels; set it to false' }]);
    if (scorer.inChannels !== o.featureDim) throw new ConfigError([{ path: 'generative.featureDim', message: `is ${o.featureDim}, the network's features are ${scorer.inChannels}-d` }]);
    const { classSpace } = context;
    if (classSpace.embeddingDim !== o.embeddingDim) throw new ConfigError([{ path: 'generative.embeddingDim', message: `is ${o.embeddingDim}, the class embeddings are ${classSpace.embeddingDim}-d` }]);

    const rng = new SeededRng(context.seed * 7919 + 17);
    const pool = new FeaturePool(o.featureDim, o.poolPerClass, rng);
    let images = 0;
    await collectFeaturePool((x) => model.features(x, false), countImages(trainingSet, (n) => (images += n)), pool);
    const seen = pool.classes().filter((c) => classSpace.seenIndices.includes(c));
    if (seen.length === 0) throw new Error('generative stage: the training set has no labelled seen pixel');
    const unseen = [...classSpace.unseenIndices];
    const embeddings = tf.tensor2d(classSpace.embeddings, [classSpace.numClasses, classSpace.embeddingDim]);
    try {
      // Each phase steps through onnxruntime training graphs where the engine chose them, tfjs otherwise.
      const generator = await generatorTrainer({ generator: this.generator, pool, seen, embeddings, pixelsPerClass: o.pixelsPerClass, sigmas: o.sigmas, lr: o.generatorLr }, context.graphs);
      await this.runSteps(generator, 'zs3-generator', o.generatorIterations, context);
      scorer.reinitialise(context.seed + 1);
      const classifier = await classifierTrainer(
        { scorer, generator: this.generator, pool, seen, unseen, embeddings, pixelsPerClass: o.pixelsPerClass, unseenWeight: o.unseenWeight, lr: o.classifierLr },
        context.graphs,
      );
      await this.runSteps(classifier, 'zs3-classifier', classifierSteps(o, images), context);
    } finally {
      embeddings.dispose();
    }
  }

  private async runSteps(trainer: Zs3StepTrainer, stage: string, iterations: number, context: FeatureGenerationContext): Promise<void> {
    try {
      for (let step = 1; step <= iterations; step++) context.log?.({ stage, step, loss: await trainer.step(), engine: trainer.engine });
    } finally {
      await trainer.finish();
    }
  }
}
