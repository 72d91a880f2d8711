import type { Worker } from 'node:worker_threads';
import { ZlsError } from '@zls/core';
import type { Batch } from './batch';
import { epochOrder, splitBatches } from './batch-plan';
import { buildLoaderSource, type BuiltSource, type LoaderSource } from './loader-source';
import { produceBatch } from './produce-batch';
import { spawnLoaderWorker } from './spawn-loader-worker';
import type { FromWorker, ToWorker } from './worker-protocol';

export interface BatchLoaderOptions {
  readonly source: LoaderSource;
  readonly batchSize: number;
  /** Fixes the epoch order and every sample's augmentation. */
  readonly seed: number;
  /** Loader threads; 0 loads in the calling thread (no prefetch). */
  readonly workers: number;
  /** Batches requested ahead of the consumer (default 2 per worker). */
  readonly prefetch?: number;
  readonly shuffle?: boolean;
  readonly dropLast?: boolean;
}

interface Pending {
  resolve(batch: Batch): void;
  reject(error: Error): void;
  worker: LoaderThread;
}

interface LoaderThread {
  readonly worker: Worker;
  inFlight: number;
}

/**
 * Yields batches in an order fixed by the seed, while worker threads decode and transform the next ones. Each
 * sample's augmentation depends only on (seed, epoch, index), so the batches are identical for any number of
 * workers. Idle workers are unref'd, so a forgotten loader does not keep the process alive; close() ends them.
 */
export class BatchLoader {
  private readonly threads: LoaderThread[] = [];
  private readonly pending = new Map<number, Pending>();
  private local: BuiltSource | undefined;
  private nextTask = 0;
  private failure: Error | undefined;
  private closed = false;
  private length = 0;

  private constructor(readonly options: BatchLoaderOptions) {}

  static async create(options: BatchLoaderOptions): Promise<BatchLoader> {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new ZlsError(`loader: batchSize must be a positive integer, got ${options.batchSize}`);
    }
    if (!Number.isInteger(options.workers) || options.workers < 0) {
      throw new ZlsError(`loader: workers must be a non-negative integer, got ${options.workers}`);
    }
    const loader = new BatchLoader(options);
    await loader.start();
    return loader;
  }

  /** Number of samples in the dataset. */
  get datasetSize(): number {
    return this.length;
  }

  batchesPerEpoch(): number {
    const full = Math.floor(this.length / this.options.batchSize);
    return this.options.dropLast || this.length % this.options.batchSize === 0 ? full : full + 1;
  }

  /**
   * The batches of one epoch, in order. `skip` leaves out the first batches without loading them (a resumed run
   * continues the same stream); the others keep their batchIndex.
   */
  async *epoch(epoch: number, skip = 0): AsyncGenerator<Batch> {
    if (this.closed) throw new ZlsError('loader: epoch() after close()');
    const order = epochOrder(this.length, this.options.seed, epoch, this.options.shuffle ?? true);
    const batches = splitBatches(order, this.options.batchSize, this.options.dropLast ?? false);
    if (this.local) {
      for (let b = skip; b < batches.length; b++) yield await produceBatch(this.local, this.options.seed, epoch, b, batches[b]);
      return;
    }
    const ahead = Math.max(1, this.options.prefetch ?? 2 * this.threads.length);
    const requested: Promise<Batch>[] = [];
    let next = Math.max(0, skip);
    let yielded = next;
    const request = (): void => {
      while (next < batches.length && next < yielded + ahead) {
        const promise = this.dispatch(epoch, next, batches[next]);
        promise.catch(() => undefined); // observed when awaited; avoids an unhandled rejection if abandoned
        requested[next++] = promise;
      }
    };
    request();
    while (yielded < batches.length) {
      const batch = await requested[yielded];
      delete requested[yielded];
      yielded++;
      request();
      yield batch;
    }
  }

  /** Ends the worker threads; batches still in flight are rejected. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new ZlsError('loader closed'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private async start(): Promise<void> {
    const { source, seed, workers } = this.options;
    if (workers === 0) {
      this.local = await buildLoaderSource(source);
      this.length = this.local.dataset.ids.length;
      return;
    }
    const lengths = await Promise.all(
      Array.from({ length: workers }, () => {
        const worker = spawnLoaderWorker({ source, seed });
        const thread: LoaderThread = { worker, inFlight: 0 };
        this.threads.push(thread);
        return this.awaitReady(thread);
      }),
    ).catch(async (e: Error) => {
      await this.close();
      throw e;
    });
    this.length = lengths[0];
    for (const t of this.threads) {
      t.worker.on('message', (msg: FromWorker) => this.onMessage(t, msg));
      t.worker.unref();
    }
  }

  private awaitReady(thread: LoaderThread): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: FromWorker): void => {
        thread.worker.off('message', onMessage);
        if (msg.kind === 'ready') resolve(msg.length);
        else reject(new ZlsError(`loader worker failed to start: ${msg.kind === 'error' ? msg.message : msg.kind}`));
      };
      thread.worker.on('message', onMessage);
      thread.worker.once('error', (e) => reject(new ZlsError(`loader worker failed to start: ${e.message}`)));
      thread.worker.once('exit', (code) => {
        if (!this.closed) this.fail(new ZlsError(`loader worker exited with code ${code}`));
        reject(new ZlsError(`loader worker exited with code ${code} before it was ready`));
      });
      thread.worker.on('error', (e) => this.fail(new ZlsError(`loader worker crashed: ${e.message}`)));
    });
  }

  private dispatch(epoch: number, batchIndex: number, indices: number[]): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    const thread = this.threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const task = this.nextTask++;
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(task, { resolve, reject, worker: thread });
      if (thread.inFlight++ === 0) thread.worker.ref();
      const msg: ToWorker = { kind: 'batch', task, epoch, batchIndex, indices };
      thread.worker.postMessage(msg);
    });
  }

  private onMessage(thread: LoaderThread, msg: FromWorker): void {
    if (msg.kind === 'ready' || msg.task === null) return;
    const p = this.pending.get(msg.task);
    this.pending.delete(msg.task);
    if (--thread.inFlight === 0) thread.worker.unref();
    if (!p) return;
    if (msg.kind === 'batch') p.resolve(msg.batch);
    else p.reject(new ZlsError(msg.message));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) {
      p.reject(error);
      p.worker.inFlight = 0;
      p.worker.worker.unref();
    }
    this.pending.clear();
  }
}
