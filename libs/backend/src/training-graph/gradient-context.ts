import { ZlsError } from '@zls/core';
import type { OnnxGraphBuilder, OnnxNodeSpec } from '../onnx/onnx-graph-builder';

/**
 * What a gradient rule may use while it writes its part of the backward pass: the training graph, the static
 * shape of every forward value (probed once), constants, and values a forward rewrite saved for it.
 */
export class GradientContext {
  private constCount = 0;

  constructor(
    readonly g: OnnxGraphBuilder,
    private readonly shapes: Map<string, number[]>,
    readonly saved: Map<string, Record<string, string>>,
    private readonly int64Constants: Map<string, number[]> = new Map(),
    /** The channel block of onnxruntime's NCHWc CPU kernels, when convolutions may use them (nchwc-convolution.ts). */
    readonly nchwcBlock?: number,
  ) {}

  /** The values of an int64 initializer of the forward graph (Gather indices), or undefined. */
  int64Constant(name: string): number[] | undefined {
    return this.int64Constants.get(name);
  }

  shape(value: string): number[] {
    const s = this.shapes.get(value);
    if (!s) throw new ZlsError(`training graph: no static shape for value '${value}' (is it a float value of the forward graph?)`);
    return s;
  }

  setShape(value: string, dims: number[]): void {
    this.shapes.set(value, [...dims]);
  }

  constFloat(values: ArrayLike<number>, dims: number[]): string {
    const name = `zls_grad_const_${this.constCount++}`;
    this.g.addInitializer(name, Float32Array.from(values), dims);
    return name;
  }

  scalar(value: number): string {
    return this.constFloat([value], []);
  }

  constInt64(values: number[]): string {
    const name = `zls_grad_i64_${this.constCount++}`;
    this.g.addInt64Initializer(name, values);
    return name;
  }

  /** Sum over `axes` (ReduceSum-13 takes them as an input). */
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    return this.g.op('ReduceSum', [x, this.constInt64(axes)], { keepdims: keepdims ? 1 : 0 });
  }

  reshape(x: string, dims: number[]): string {
    return this.g.op('Reshape', [x, this.constInt64(dims)]);
  }

  /** The gradient of a broadcast operand: dy summed over the axes the operand was broadcast along. */
  unbroadcast(dy: string, dyShape: number[], target: number[]): string {
    if (dyShape.length === target.length && dyShape.every((d, i) => d === target[i])) return dy;
    const lead = dyShape.length - target.length;
    const axes: number[] = [];
    for (let i = 0; i < dyShape.length; i++) {
      const t = i < lead ? 1 : target[i - lead];
      if (t === 1 && dyShape[i] !== 1) axes.push(i);
      else if (t !== dyShape[i]) throw new ZlsError(`training graph: cannot unbroadcast [${dyShape}] to [${target}]`);
    }
    const summed = axes.length ? this.reduceSum(dy, axes, true) : dy;
    return this.reshape(summed, target);
  }
}

/**
 * Writes the gradients of a node's inputs given the gradients of its outputs (undefined: no gradient flows
 * there). `needs[i]` says whether input i wants one; return undefined for those that do not.
 */
export type GradientRule = (ctx: GradientContext, node: OnnxNodeSpec, dOutputs: (string | undefined)[], needs: boolean[]) => (string | undefined)[];
