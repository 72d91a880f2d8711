import * as tf from '@tensorflow/tfjs';
import { ConfigError, SeededRng, type FeatureGenerationContext, type FeatureGenerationStage, type SegmentationModel, type TrainingBatch } from '@zls/core';
import { LinearScorer } from '../model/scorers';
import { SegmentationNet } from '../model/segmentation-net';
import { buildRetrainingBatch, classifierLoss } from './classifier-retraining';
import { FeaturePool, collectFeaturePool } from './feature-pool';
import { GmmnGeneratorOptions, type GmmnGenerator } from './gmmn-generator';
import { mmdLoss } from './mmd-loss';

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
    await collectFeaturePool((images) => model.features(images, false), trainingSet, pool);
    const seen = pool.classes().filter((c) => classSpace.seenIndices.includes(c));
    if (seen.length === 0) throw new Error('generative stage: the training set has no labelled seen pixel');
    const unseen = [...classSpace.unseenIndices];
    const embeddings = tf.tensor2d(classSpace.embeddings, [classSpace.numClasses, classSpace.embeddingDim]);
    try {
      this.trainGenerator(pool, seen, embeddings, context);
      this.retrainClassifier(scorer, pool, seen, unseen, embeddings, context);
    } finally {
      embeddings.dispose();
    }
  }

  private trainGenerator(pool: FeaturePool, seen: readonly number[], embeddings: tf.Tensor2D, context: FeatureGenerationContext): void {
    const o = this.options;
    const optimizer = tf.train.adam(o.generatorLr);
    const variables = this.generator.trainableVariables();
    for (let step = 1; step <= o.generatorIterations; step++) {
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const perClass = seen.map((c) => {
              const real = pool.sample(c, o.pixelsPerClass);
              const condition = tf.tile(embeddings.slice([c, 0], [1, -1]), [o.pixelsPerClass, 1]) as tf.Tensor2D;
              const fake = this.generator.apply(condition, this.generator.noise(o.pixelsPerClass), true);
              return mmdLoss(fake, real, o.sigmas);
            });
            return tf.div(tf.addN(perClass), perClass.length) as tf.Scalar;
          }),
        true,
        variables,
      ) as tf.Scalar;
      context.log?.({ stage: 'zs3-generator', step, loss: loss.dataSync()[0] });
      loss.dispose();
    }
    optimizer.dispose();
  }

  private retrainClassifier(scorer: LinearScorer, pool: FeaturePool, seen: readonly number[], unseen: readonly number[], embeddings: tf.Tensor2D, context: FeatureGenerationContext): void {
    const o = this.options;
    scorer.reinitialise(context.seed + 1);
    const optimizer = tf.train.adam(o.classifierLr);
    const variables = scorer.trainableVariables();
    const seenLabels = Int32Array.from(seen.flatMap((c) => Array.from({ length: o.pixelsPerClass }, () => c)));
    for (let step = 1; step <= o.classifierIterations; step++) {
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const real = tf.concat(seen.map((c) => pool.sample(c, o.pixelsPerClass))) as tf.Tensor2D;
            const batch = buildRetrainingBatch(this.generator, real, seenLabels, { unseenClasses: unseen, classEmbeddings: embeddings, generatedPerClass: o.pixelsPerClass });
            return classifierLoss(scorer, batch, unseen, o.unseenWeight);
          }),
        true,
        variables,
      ) as tf.Scalar;
      context.log?.({ stage: 'zs3-classifier', step, loss: loss.dataSync()[0] });
      loss.dispose();
    }
    optimizer.dispose();
  }
}
