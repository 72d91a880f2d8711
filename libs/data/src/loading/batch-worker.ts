// Entry of a loader thread: builds the dataset and transforms from the description it is given, then turns
// batch requests into batches, one at a time, handing the buffers over without copying.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { buildLoaderSource, type BuiltSource } from './loader-source';
import { produceBatch } from './produce-batch';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol';

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

async function start(): Promise<void> {
  const init = workerData as WorkerInit;
  let source: BuiltSource;
  try {
    source = await buildLoaderSource(init.source);
  } catch (e) {
    post({ kind: 'error', task: null, message: (e as Error).message });
    return;
  }
  post({ kind: 'ready', length: source.dataset.ids.length });
  let queue = Promise.resolve();
  parentPort?.on('message', (msg: ToWorker) => {
    queue = queue.then(async () => {
      try {
        const batch = await produceBatch(source, init.seed, msg.epoch, msg.batchIndex, msg.indices);
        post({ kind: 'batch', task: msg.task, batch }, [
          batch.images.buffer as ArrayBuffer,
          batch.targets.buffer as ArrayBuffer,
          batch.hidden.buffer as ArrayBuffer,
        ]);
      } catch (e) {
        post({ kind: 'error', task: msg.task, message: (e as Error).message });
      }
    });
  });
}

void start();
