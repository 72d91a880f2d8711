import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildTrainingGraph, selectBackend } from '@zls/backend';
import { Registries } from '@zls/core';
import { buildSegmentationModel, normalValues, registerModelComponents } from '@zls/models';
(async () => {
  await selectBackend('cpu');
  const r = new Registries();
  registerModelComponents(r);
  const CLASSES = 20;
  const embeddings = normalValues(CLASSES * 300, 1, 7);
  const net = buildSegmentationModel(r, { backbone: { type: 'synthetic-net', width: 32 }, head: { type: 'aspp-lite-projection', embeddingDim: 300 }, upsampling: 'align-corners' }, { numClasses: CLASSES, embeddingDim: 300, embeddings });
  const [N, H] = [16, 65];
  const seen = Array.from({ length: 15 }, (_, i) => i);
  const ir = net.onnxGraph({ classes: seen, batch: N, height: H, width: H }).ir();
  const params = net.trainable().map((t) => ir.initializers.find((i) => i.origin?.variable === t.variable)!.name);
  const graph = await buildTrainingGraph({ forward: ir, inputDims: { images: [N, H, H, 3] }, parameters: params.map((name) => ({ name, lrMultiplier: 1, weightDecay: 1e-4 })), loss: { kind: 'masked-cross-entropy', scores: 'scores' }, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } });
  fs.writeFileSync('/tmp/prof/graph.onnx', graph.bytes);
  const s = await InferenceSession.create(graph.bytes, { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', enableProfiling: process.argv.includes('--profile'), profileFilePrefix: '/tmp/prof/p' } as any);
  const feeds: Record<string, Tensor> = {};
  for (const [name, f] of Object.entries(graph.feeds)) {
    const size = f.dims.reduce((a, b) => a * b, 1);
    feeds[name] = f.type === 'int32' ? new Tensor('int32', Int32Array.from({ length: size }, (_, i) => (i % 7 === 0 ? -1 : i % 15)), f.dims) : new Tensor('float32', Float32Array.from({ length: size }, () => Math.random()), f.dims);
  }
  feeds['zls_lr'] = new Tensor('float32', Float32Array.of(1e-3), []);
  for (const st of graph.state) feeds[st.input] = new Tensor('float32', Float32Array.from(st.initial), st.dims);
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t = performance.now();
    const out = await s.run(feeds);
    times.push(performance.now() - t);
    for (const st of graph.state) feeds[st.input] = out[st.output];
  }
  console.log('step ms', times.map((t) => t.toFixed(0)).join(' '));
  if (process.argv.includes('--profile')) {
    const file = (s as any).endProfiling ? (s as any).endProfiling() : undefined;
    console.log('profile', file);
  }
})();
