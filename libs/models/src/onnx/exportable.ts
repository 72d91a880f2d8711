import type { Variable } from '@tensorflow/tfjs';
import type { Backbone, Head, OnnxBackboneOutput, OnnxGraphWriter } from '@zls/core';

/** A backbone whose optional ONNX export (core's Backbone.toOnnx) is present. */
export type OnnxBackbone = Backbone & { toOnnx(g: OnnxGraphWriter, input: string): OnnxBackboneOutput };

/** A head whose optional ONNX export (core's Head.toOnnx) is present: every built-in head. */
export type OnnxHead = Head & { toOnnx(g: OnnxGraphWriter, input: OnnxBackboneOutput): string };

/** Parameters under stable names (core's optional Backbone/Head.namedVariables, present). */
export interface NamedWeights {
  namedVariables(): Map<string, Variable>;
}
