import { createVariableGraphTrainer } from '@zls/backend';
import { ZlsError, type GraphTrainer, type GraphTrainerRequest } from '@zls/core';
import type { SegmentationNet } from './segmentation-net';

/**
 * SegmentationNet's graph trainer: the net's own ONNX export for the batch shape and the loss's classes,
 * trained with the masked cross-entropy the tfjs path uses (libs/engine/src/loss/masked-cross-entropy.ts).
 * A multi-scale request on a multi-scale net trains the branches' graph (every scale's input a Resize of the
 * batch, the weights shared) on the sum of one masked cross-entropy per term, as the tfjs path does.
 */
export async function createGraphTrainer(net: SegmentationNet, request: GraphTrainerRequest): Promise<GraphTrainer> {
  const [n, h, w, c] = request.batchShape;
  if (c !== 3) throw new ZlsError(`graph trainer: batches have ${c} channels; the exported network reads 3`);
  if (request.multiScale && net.multiScale) {
    const forward = net.onnxGraph({ classes: request.classes, batch: n, height: h, width: w, multiScale: 'train' }).ir();
    return createVariableGraphTrainer(forward, { kind: 'multi-scale-cross-entropy', scores: forward.outputs.map((o) => o.name), labelDims: [n, h, w] }, request);
  }
  const forward = net.onnxGraph({ classes: request.classes, batch: n, height: h, width: w, nchwUpsampling: true }).ir();
  return createVariableGraphTrainer(forward, 'scores', request);
}
