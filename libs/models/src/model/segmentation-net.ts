import * as tf from '@tensorflow/tfjs';
import { fuseConstantProjections, OnnxGraphBuilder } from '@zls/backend';
import type { Backbone, GraphTrainer, GraphTrainerRequest, Head, ModelGeometry, SegmentationModel, TrainableVariable } from '@zls/core';
import { FrozenGraphModel } from './frozen-graph-model';
import { createGraphTrainer } from './graph-trainer';
import { onnxOps } from '../onnx/onnx-ops';
import { hasNamedWeights, isOnnxBackbone, isOnnxHead } from '../onnx/exportable';
import type { EmbeddingScorer, LinearScorer } from './scorers';

export interface OnnxExportOptions {
  /** Output indices to score (default: all classes). */
  classes?: readonly number[];
  /** Fixed input height/width; symbolic (any size) when omitted. */
  height?: number;
  width?: number;
  /** Fixed batch size; symbolic when omitted. */
  batch?: number;
  /** Written into the file's metadata_props (e.g. zls.label_ids, zls.normalization). */
  metadata?: Record<string, string>;
}

/** How scores are upsampled to the input: half-pixel centres (tfjs/PyTorch default) or corner-aligned. */
export type Upsampling = 'half-pixel' | 'align-corners';

/**
 * backbone → head → per-pixel scores against the classes → bilinear upsampling to the input (half-pixel, or
 * corner-aligned, which puts cell j at input pixel stride·j: exact and mirror-symmetric on stride·k + 1 inputs).
 * Scores are computed at feature resolution and then upsampled: the same result as upsampling features
 * (both steps are linear) at a fraction of the cost.
 */
export class SegmentationNet implements SegmentationModel {
  readonly numClasses: number;
  readonly geometry: ModelGeometry;

  constructor(
    readonly backbone: Backbone,
    readonly head: Head,
    readonly scorer: EmbeddingScorer | LinearScorer,
    readonly upsampling: Upsampling = 'half-pixel',
  ) {
    this.numClasses = scorer.numClasses;
    this.geometry = { outputStride: backbone.outputStride, alignCorners: upsampling === 'align-corners' };
  }

  private allClasses(): number[] {
    return Array.from({ length: this.numClasses }, (_, i) => i);
  }

  private checkClasses(classes: readonly number[]): void {
    for (const c of classes) if (!Number.isInteger(c) || c < 0 || c >= this.numClasses) throw new Error(`class index ${c} outside 0..${this.numClasses - 1}`);
  }

  initialiseUntrainedStatistics(images: tf.Tensor4D): boolean {
    const backbone = this.backbone as Partial<Pick<SegmentationModel, 'initialiseUntrainedStatistics'>>;
    return backbone.initialiseUntrainedStatistics?.(images) ?? false;
  }

  /** The head's per-pixel features [N, H/s, W/s, D] (ZS3Net's generator learns to imitate these). */
  features(images: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const out = this.backbone.apply(images, training);
      return this.head.apply(out, training);
    });
  }

  /** Scores at feature resolution (before upsampling). */
  lowResScores(images: tf.Tensor4D, training: boolean, classes: readonly number[] = this.allClasses()): tf.Tensor4D {
    this.checkClasses(classes);
    return tf.tidy(() => this.scorer.scores(this.features(images, training), classes));
  }

  forward(images: tf.Tensor4D, training: boolean, classes?: readonly number[]): tf.Tensor4D {
    const [, h, w] = images.shape;
    const corners = this.geometry.alignCorners;
    return tf.tidy(() => tf.image.resizeBilinear(this.lowResScores(images, training, classes), [h, w], corners, !corners));
  }

  /** Every parameter with a stable name: backbone.*, head.*, scorer.* (checkpoint keys). */
  namedVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const add = (prefix: string, part: object, fallback: () => tf.Variable[]) => {
      if (hasNamedWeights(part)) for (const [k, v] of part.namedVariables()) out.set(`${prefix}.${k}`, v);
      else fallback().forEach((v, i) => out.set(`${prefix}.var${i}`, v));
    };
    add('backbone', this.backbone, () => this.backbone.trainableVariables());
    add('head', this.head, () => this.head.trainableVariables());
    add('scorer', this.scorer, () => this.scorer.trainableVariables());
    return out;
  }

  /** Every variable a checkpoint must hold (SegmentationModel's view of namedVariables). */
  stateVariables(): Record<string, tf.Variable> {
    return Object.fromEntries(this.namedVariables());
  }

  trainable(): TrainableVariable[] {
    const names = new Map<tf.Variable, string>();
    for (const [k, v] of this.namedVariables()) names.set(v, k);
    const role = (v: tf.Variable, r: 'backbone' | 'head'): TrainableVariable => ({ variable: v, role: r, isBias: (names.get(v) ?? '').endsWith('.bias') });
    return [
      ...this.backbone.trainableVariables().map((v) => role(v, 'backbone')),
      ...this.head.trainableVariables().map((v) => role(v, 'head')),
      ...this.scorer.trainableVariables().map((v) => role(v, 'head')),
    ];
  }

  /** The inference graph as ONNX bytes: input 'images' [N,H,W,3] → output 'scores' [N,H,W,C]. */
  toOnnx(options: OnnxExportOptions = {}): Uint8Array {
    // The projection to the embedding space and the fixed class embeddings fold into one 1×1 convolution.
    const g = OnnxGraphBuilder.fromIR(fuseConstantProjections(this.onnxGraph(options).ir(), new Set()));
    Object.assign(g.metadata, options.metadata ?? {});
    return g.toBytes();
  }

  /** Trains through one onnxruntime graph per step (graph-trainer.ts); undefined when a part emits no ONNX. */
  async graphTrainer(request: GraphTrainerRequest): Promise<GraphTrainer | undefined> {
    if (!isOnnxBackbone(this.backbone) || !isOnnxHead(this.head)) return undefined;
    return createGraphTrainer(this, request);
  }

  /** Whole-graph inference with the current weights (frozen-graph-model.ts); undefined when a part emits no ONNX. */
  frozenView(threads: number): SegmentationModel | undefined {
    if (!isOnnxBackbone(this.backbone) || !isOnnxHead(this.head)) return undefined;
    return new FrozenGraphModel(this, threads);
  }

  /** The inference graph, still open (training graphs are built from it). */
  onnxGraph(options: OnnxExportOptions = {}): OnnxGraphBuilder {
    const classes = options.classes ?? this.allClasses();
    this.checkClasses(classes);
    if (!isOnnxBackbone(this.backbone)) throw new Error('this backbone cannot be exported to ONNX (it has no toOnnx)');
    if (!isOnnxHead(this.head)) throw new Error('this head cannot be exported to ONNX (it has no toOnnx)');
    const g = new OnnxGraphBuilder('zls-segmentation');
    const h = options.height ?? 'H';
    const w = options.width ?? 'W';
    const n = options.batch ?? 'N';
    g.addInput('images', [n, h, w, 3]);
    const x = onnxOps.nhwcToNchw(g, 'images');
    const feats = this.head.toOnnx(g, this.backbone.toOnnx(g, x));
    const scores = onnxOps.resizeLike(g, this.scorer.toOnnx(g, feats, classes), x, this.geometry.alignCorners);
    g.addNode('Transpose', [scores], ['scores'], { perm: [0, 2, 3, 1] });
    g.addOutput('scores', [n, h, w, classes.length]);
    return g;
  }

  dispose(): void {
    this.backbone.dispose();
    this.head.dispose();
    this.scorer.dispose();
  }
}
