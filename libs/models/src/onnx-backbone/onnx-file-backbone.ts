import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { injectable } from 'tsyringe';
import { loadOrtBinding, type OnnxGraphBuilder } from '@zls/backend';
import { ZlsError, type BackboneOutput } from '@zls/core';
import type { OnnxBackboneOutput } from '@zls/core';
import type { OnnxBackbone } from '../onnx/exportable';
import { onnxOps } from '../onnx/onnx-ops';
import { embedOnnxGraph } from './embed-onnx-graph';
import { readOnnxModel, type OnnxModel } from './onnx-model-reader';

export class OnnxFileBackboneOptions {
  /** The feature extractor: one image input, feature outputs. */
  @IsString() @IsNotEmpty() file = '';
  @IsInt() @Min(1) outputStride = 8;
  @IsInt() @Min(1) outputChannels = 256;
  /** Which output holds the features (default: the first). */
  @IsOptional() @IsString() featuresOutput?: string;
  /** Optional stride-4 output for DeepLabv3+'s decoder, and its width. */
  @IsOptional() @IsString() lowLevelOutput?: string;
  @IsOptional() @IsInt() @Min(1) lowLevelChannels?: number;
  /** Tensor layout of the file's input and outputs (PyTorch exports are NCHW). */
  @IsIn(['NCHW', 'NHWC']) layout: 'NCHW' | 'NHWC' = 'NCHW';
  @IsInt() @Min(1) @Max(64) threads = 1;
}

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, { data: unknown; dims: readonly number[]; type: string }>;
  dispose(): void;
  readonly inputMetadata: { name: string }[];
  readonly outputMetadata: { name: string }[];
}

/**
 * A user-supplied ONNX feature extractor run in onnxruntime-node as a frozen trunk: no trainable
 * variables, and no gradient flows through it. tfjs needs a synchronous result, so it uses the native
 * binding's synchronous run (as @zls/backend's kernels do). Exporting a model embeds the file's graph.
 */
@injectable()
export class OnnxFileBackbone implements OnnxBackbone {
  readonly outputStride: number;
  readonly outputChannels: number;
  readonly lowLevelChannels?: number;
  private readonly bytes: Uint8Array;
  private readonly session: NativeSession;
  private readonly inputName: string;
  private readonly featuresName: string;
  private parsed?: OnnxModel;

  constructor(private readonly options: OnnxFileBackboneOptions) {
    this.outputStride = options.outputStride;
    this.outputChannels = options.outputChannels;
    this.lowLevelChannels = options.lowLevelChannels;
    try {
      this.bytes = new Uint8Array(readFileSync(options.file));
    } catch (e) {
      throw new ZlsError(`onnx backbone: cannot read ${options.file} (${e instanceof Error ? e.message : String(e)})`);
    }
    const { binding } = loadOrtBinding();
    this.session = new binding.InferenceSession() as unknown as NativeSession;
    try {
      this.session.loadModel(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset, this.bytes.byteLength, {
        intraOpNumThreads: options.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
      });
    } catch (e) {
      throw new ZlsError(`onnx backbone: onnxruntime could not load ${options.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const inputs = this.session.inputMetadata.map((m) => m.name);
    const outputs = this.session.outputMetadata.map((m) => m.name);
    if (inputs.length !== 1) throw new ZlsError(`onnx backbone: ${options.file} has ${inputs.length} inputs (${inputs.join(', ')}); expected one image input`);
    this.inputName = inputs[0];
    this.featuresName = options.featuresOutput ?? outputs[0];
    for (const want of [this.featuresName, options.lowLevelOutput]) {
      if (want !== undefined && !outputs.includes(want)) throw new ZlsError(`onnx backbone: ${options.file} has no output '${want}' (outputs: ${outputs.join(', ')})`);
    }
    if (options.lowLevelOutput && !options.lowLevelChannels) throw new ZlsError('onnx backbone: lowLevelOutput needs lowLevelChannels');
  }

  apply(input: tf.Tensor4D, _training: boolean): BackboneOutput {
    const nchw = this.options.layout === 'NCHW';
    const feed = tf.tidy(() => (nchw ? tf.transpose(input, [0, 3, 1, 2]) : input));
    const dims = [...feed.shape];
    const data = feed.dataSync() as Float32Array;
    if (feed !== input) feed.dispose();
    const fetches: Record<string, null> = { [this.featuresName]: null };
    if (this.options.lowLevelOutput) fetches[this.options.lowLevelOutput] = null;
    const results = this.session.run({ [this.inputName]: new OrtTensor('float32', data, dims) }, fetches, {});
    const take = (name: string, channels: number): tf.Tensor4D => {
      const r = results[name];
      if (r.type !== 'float32' || r.dims.length !== 4) throw new ZlsError(`onnx backbone: output '${name}' is ${r.type} [${r.dims.join(', ')}], expected float32 4-D`);
      const values = new Float32Array(r.data as ArrayLike<number>);
      const t = tf.tensor4d(values, r.dims as [number, number, number, number]);
      const out = nchw ? tf.tidy(() => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D) : t;
      if (out !== t) t.dispose();
      if (out.shape[3] !== channels) {
        out.dispose();
        throw new ZlsError(`onnx backbone: output '${name}' has ${out.shape[3]} channels, the options declare ${channels}`);
      }
      return out;
    };
    const features = take(this.featuresName, this.outputChannels);
    const lowLevel = this.options.lowLevelOutput ? take(this.options.lowLevelOutput, this.lowLevelChannels as number) : undefined;
    return { features, lowLevel };
  }

  toOnnx(g: OnnxGraphBuilder, input: string): OnnxBackboneOutput {
    this.parsed ??= readOnnxModel(this.bytes, this.options.file);
    const nchw = this.options.layout === 'NCHW';
    const feed = nchw ? input : onnxOps.nchwToNhwc(g, input);
    const outputs = embedOnnxGraph(g, this.parsed, feed, 'trunk.', this.options.file);
    const out = (name: string) => {
      const v = outputs.get(name) as string;
      return nchw ? v : onnxOps.nhwcToNchw(g, v);
    };
    return { features: out(this.featuresName), lowLevel: this.options.lowLevelOutput ? out(this.options.lowLevelOutput) : undefined };
  }

  trainableVariables(): tf.Variable[] {
    return [];
  }

  dispose(): void {
    this.session.dispose();
  }
}
