import * as tf from '@tensorflow/tfjs';
import { fuseConstantProjections, OnnxGraphBuilder } from '@zls/backend';
import type { Backbone, GraphTrainer, GraphTrainerRequest, Head, ModelGeometry, SegmentationModel, TrainableVariable } from '@zls/core';
import { FrozenGraphModel } from './frozen-graph-model';
import { createGraphTrainer } from './graph-trainer';
import { MultiScaleTestView, onnxScaledInput, scaledSize, type MultiScaleOptions } from './multi-scale';
import { onnxOps } from '../onnx/onnx-ops';
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
  /**
   * A multi-scale net's other graphs: `test`, output 'scores' of the max over the scales, upsampled to the
   * input (the reference's evaluation); `train` (training graphs only), one NCHW output per loss term: each
   * scale's scores on its own grid, then their max on the scale-1 grid.
   */
  multiScale?: 'train' | 'test';
  /**
   * Upsample NCHW scores, then transpose to NHWC 'scores' (training graphs: the loss reads the value before the
   * transpose). Otherwise the low-resolution scores are transposed and upsampled channels-last, which is faster.
   */
  nchwUpsampling?: boolean;
}

/** How scores are upsampled to the input: half-pixel centres (tfjs/PyTorch default) or corner-aligned. */
export type Upsampling = 'half-pixel' | 'align-corners';

/**
 * backbone → head → per-pixel scores against the classes → bilinear upsampling to the input (half-pixel, or
 * corner-aligned, which puts cell j at input pixel stride·j: exact and mirror-symmetric on stride·k + 1 inputs).
 * Scores are computed at feature resolution and then upsampled: the same result as upsampling features
 * (both steps are linear) at a fraction of the cost. With `multiScale` (SPNet's MSC, multi-scale.ts) the net
 * also gives the per-scale training outputs and a max-fused test view; `forward` stays single-scale.
 */
export class SegmentationNet implements SegmentationModel {
  readonly numClasses: number;
  readonly geometry: ModelGeometry;

  constructor(
    readonly backbone: Backbone,
    readonly head: Head,
    readonly scorer: EmbeddingScorer | LinearScorer,
    readonly upsampling: Upsampling = 'half-pixel',
    readonly multiScale?: MultiScaleOptions,
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

  /** Each scale's scores on its own grid, in config order (the input resized bilinearly, half-pixel). */
  private scaleBranches(ms: MultiScaleOptions, images: tf.Tensor4D, training: boolean, classes: readonly number[]): tf.Tensor4D[] {
    const [, h, w] = images.shape;
    return ms.scales.map((s) => this.lowResScores(s === 1 ? images : tf.image.resizeBilinear(images, [scaledSize(h, s), scaledSize(w, s)], false, true), training, classes));
  }

  /** The element-wise max of the branches on the scale-1 grid (the others resized there bilinearly, half-pixel). */
  private maxOnGrid(ms: MultiScaleOptions, branches: tf.Tensor4D[]): tf.Tensor4D {
    const [, gh, gw] = branches[ms.scales.indexOf(1)].shape;
    const aligned = branches.map((b, i) => (ms.scales[i] === 1 ? b : tf.image.resizeBilinear(b, [gh, gw], false, true)));
    return aligned.reduce((m, b) => tf.maximum(m, b));
  }

  /** SegmentationModel.multiScaleScores: every loss term's scores [N, h, w, K] on its own grid; undefined single-scale. */
  multiScaleScores(images: tf.Tensor4D, training: boolean, classes: readonly number[] = this.allClasses()): tf.Tensor4D[] | undefined {
    const ms = this.multiScale;
    if (!ms) return undefined;
    this.checkClasses(classes);
    return tf.tidy(() => {
      const branches = this.scaleBranches(ms, images, training, classes);
      return ms.max ? [...branches, this.maxOnGrid(ms, branches)] : branches;
    });
  }

  /** The max over the scales' scores, upsampled to the input as `forward` upsamples (the reference's test). */
  maxFusedForward(images: tf.Tensor4D, classes: readonly number[] = this.allClasses()): tf.Tensor4D {
    const ms = this.multiScale;
    if (!ms) throw new Error('maxFusedForward: this net has no multiScale option');
    this.checkClasses(classes);
    const [, h, w] = images.shape;
    const corners = this.geometry.alignCorners;
    return tf.tidy(() => tf.image.resizeBilinear(this.maxOnGrid(ms, this.scaleBranches(ms, images, false, classes)), [h, w], corners, !corners));
  }

  /** The max-fused evaluation view when the net trains multi-scale with `test: max`; undefined otherwise. */
  multiScaleTestView(): SegmentationModel | undefined {
    return this.multiScale?.test === 'max' ? new MultiScaleTestView(this) : undefined;
  }

  /** Every parameter with a stable name: backbone.*, head.*, scorer.* (checkpoint keys). */
  namedVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const add = (prefix: string, part: Pick<Backbone, 'namedVariables' | 'trainableVariables'>) => {
      if (part.namedVariables) for (const [k, v] of part.namedVariables()) out.set(`${prefix}.${k}`, v);
      else part.trainableVariables().forEach((v, i) => out.set(`${prefix}.var${i}`, v));
    };
    add('backbone', this.backbone);
    add('head', this.head);
    add('scorer', this.scorer);
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
    if (!this.backbone.toOnnx || !this.head.toOnnx) return undefined;
    return createGraphTrainer(this, request);
  }

  /**
   * Whole-graph inference with the current weights (frozen-graph-model.ts), of the max-fused multi-scale graph
   * with `multiScaleTest`; undefined when a part emits no ONNX.
   */
  frozenView(threads: number, multiScaleTest = false): SegmentationModel | undefined {
    if (!this.backbone.toOnnx || !this.head.toOnnx) return undefined;
    return new FrozenGraphModel(this, threads, multiScaleTest);
  }

  /** The inference graph, still open (training graphs are built from it). */
  onnxGraph(options: OnnxExportOptions = {}): OnnxGraphBuilder {
    const classes = options.classes ?? this.allClasses();
    this.checkClasses(classes);
    const backboneToOnnx = this.backbone.toOnnx?.bind(this.backbone);
    const headToOnnx = this.head.toOnnx?.bind(this.head);
    if (!backboneToOnnx) throw new Error('this backbone cannot be exported to ONNX (it has no toOnnx)');
    if (!headToOnnx) throw new Error('this head cannot be exported to ONNX (it has no toOnnx)');
    const g = new OnnxGraphBuilder('zls-segmentation');
    const h = options.height ?? 'H';
    const w = options.width ?? 'W';
    const n = options.batch ?? 'N';
    g.addInput('images', [n, h, w, 3]);
    const x = onnxOps.nhwcToNchw(g, 'images');
    // Each branch writes the same layers again; their initializers come from the same variables, so the
    // builder keeps one copy and every branch reads the shared weights.
    const scoresOf = (input: string) => this.scorer.toOnnx(g, headToOnnx(g, backboneToOnnx(g, input)), classes);
    let lowRes: string;
    const ms = this.multiScale;
    if (!options.multiScale) lowRes = scoresOf(x);
    else {
      if (!ms) throw new Error(`onnxGraph: a multi-scale '${options.multiScale}' graph needs the net's multiScale option`);
      const branches = ms.scales.map((s) => scoresOf(s === 1 ? x : onnxScaledInput(g, x, s, h, w)));
      const base = branches[ms.scales.indexOf(1)];
      const max = () => {
        const aligned = branches.map((b, i) => (ms.scales[i] === 1 ? b : onnxOps.resizeLike(g, b, base, false)));
        return g.op(aligned.length === 1 ? 'Identity' : 'Max', aligned);
      };
      if (options.multiScale === 'train') {
        for (const v of ms.max ? [...branches, max()] : branches) g.addOutput(v, null);
        return g;
      }
      lowRes = max();
    }
    if (options.nchwUpsampling) {
      g.addNode('Transpose', [onnxOps.resizeLike(g, lowRes, x, this.geometry.alignCorners)], ['scores'], { perm: [0, 2, 3, 1] });
    } else {
      onnxOps.resizeNhwcLike(g, onnxOps.nchwToNhwc(g, lowRes), 'images', this.geometry.alignCorners, 'scores');
    }
    g.addOutput('scores', [n, h, w, classes.length]);
    return g;
  }

  dispose(): void {
    this.backbone.dispose();
    this.head.dispose();
    this.scorer.dispose();
  }
}
