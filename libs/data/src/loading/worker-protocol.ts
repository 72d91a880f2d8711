import type { Batch } from './batch';
import type { LoaderSource } from './loader-source';

export interface WorkerInit {
  readonly source: LoaderSource;
  readonly seed: number;
}

export type ToWorker = { readonly kind: 'batch'; readonly task: number; readonly epoch: number; readonly batchIndex: number; readonly indices: number[] };

export type FromWorker =
  | { readonly kind: 'ready'; readonly length: number }
  | { readonly kind: 'batch'; readonly task: number; readonly batch: Batch }
  | { readonly kind: 'error'; readonly task: number | null; readonly message: string };
