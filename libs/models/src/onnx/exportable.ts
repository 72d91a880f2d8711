import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import type { Backbone, Head } from '@zls/core';

/** ONNX value names (NCHW) of a backbone's outputs. */
export interface OnnxBackboneOutput {
  features: string;
  lowLevel?: string;
}

/** A backbone that can write itself into an ONNX graph; every registered backbone is one (the contract checks it). */
export interface OnnxBackbone extends Backbone {
  toOnnx(g: OnnxGraphBuilder, input: string): OnnxBackboneOutput;
}

export interface OnnxHead extends Head {
  toOnnx(g: OnnxGraphBuilder, input: OnnxBackboneOutput): string;
}

/** Components whose parameters have stable names, for checkpoints and weight import. */
export interface NamedWeights {
  namedVariables(): Map<string, tf.Variable>;
}

/** Heads whose input width is only known once the backbone is chosen. */
export interface BindableHead extends Head {
  bind(inChannels: number, lowLevelChannels?: number): void;
}

export function isOnnxBackbone(b: Backbone): b is OnnxBackbone {
  return typeof (b as Partial<OnnxBackbone>).toOnnx === 'function';
}

export function isOnnxHead(h: Head): h is OnnxHead {
  return typeof (h as Partial<OnnxHead>).toOnnx === 'function';
}

export function hasNamedWeights(x: object): x is NamedWeights {
  return typeof (x as Partial<NamedWeights>).namedVariables === 'function';
}

export function isBindableHead(h: Head): h is BindableHead {
  return typeof (h as Partial<BindableHead>).bind === 'function';
}
