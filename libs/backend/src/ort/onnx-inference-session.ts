import { ZlsError } from '@zls/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** A float32 array with its shape: what goes in and comes out of an inference session. */
export interface DenseArray {
  data: Float32Array;
  dims: number[];
}

export interface InferenceOptions {
  /** Intra-op threads for the whole graph (a whole-graph session gains from 2 on a 2-core machine). */
  threads?: number;
}

/**
 * A whole-model onnxruntime session, created once and reused for every batch (evaluation, pseudo-label
 * generation, predict). `runBatched` splits a large input along its first axis and joins the outputs.
 */
export class OnnxInferenceSession {
  private disposed = false;

  private constructor(
    private readonly session: InferenceSession,
    readonly threads: number,
  ) {}

  static async create(model: Uint8Array | string, options: InferenceOptions = {}): Promise<OnnxInferenceSession> {
    const threads = options.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) throw new ZlsError(`inference session: threads must be a positive integer, got ${threads}`);
    const sessionOptions: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    };
    try {
      const session =
        typeof model === 'string' ? await InferenceSession.create(model, sessionOptions) : await InferenceSession.create(model, sessionOptions);
      return new OnnxInferenceSession(session, threads);
    } catch (e) {
      const what = typeof model === 'string' ? model : `${model.byteLength}-byte model`;
      throw new ZlsError(`onnxruntime could not load ${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, DenseArray>): Promise<Record<string, DenseArray>> {
    if (this.disposed) throw new ZlsError('inference session: run() after dispose()');
    for (const name of this.session.inputNames) {
      if (!(name in feeds)) throw new ZlsError(`inference session: missing input '${name}' (inputs: ${this.session.inputNames.join(', ')})`);
    }
    const ortFeeds: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = new Tensor('float32', value.data, value.dims);
    const results = await this.session.run(ortFeeds);
    const out: Record<string, DenseArray> = {};
    for (const name of this.session.outputNames) {
      const t = results[name];
      if (t.type !== 'float32') throw new ZlsError(`inference session: output '${name}' is ${t.type}, expected float32`);
      out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
    }
    return out;
  }

  /**
   * Runs `input` (first axis = samples) through the model `batchSize` samples at a time and concatenates
   * every output along its first axis. `constants` are fed unchanged to each batch.
   */
  async runBatched(inputName: string, input: DenseArray, batchSize: number, constants: Record<string, DenseArray> = {}): Promise<Record<string, DenseArray>> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ZlsError(`inference session: batchSize must be a positive integer, got ${batchSize}`);
    const total = input.dims[0];
    const per = input.dims.slice(1).reduce((a, b) => a * b, 1);
    if (input.data.length !== total * per) throw new ZlsError(`inference session: input '${inputName}' has ${input.data.length} values, dims [${input.dims}] need ${total * per}`);
    const parts: Record<string, DenseArray[]> = {};
    for (let start = 0; start < total; start += batchSize) {
      const count = Math.min(batchSize, total - start);
      const slice = { data: input.data.subarray(start * per, (start + count) * per), dims: [count, ...input.dims.slice(1)] };
      const result = await this.run({ ...constants, [inputName]: slice });
      for (const [name, value] of Object.entries(result)) (parts[name] ??= []).push(value);
    }
    const joined: Record<string, DenseArray> = {};
    for (const [name, chunks] of Object.entries(parts)) {
      const length = chunks.reduce((a, c) => a + c.data.length, 0);
      const data = new Float32Array(length);
      let offset = 0;
      for (const c of chunks) {
        data.set(c.data, offset);
        offset += c.data.length;
      }
      joined[name] = { data, dims: [chunks.reduce((a, c) => a + c.dims[0], 0), ...chunks[0].dims.slice(1)] };
    }
    return joined;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
