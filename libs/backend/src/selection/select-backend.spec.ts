import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';
import { BackendProbe } from './backend-probe';
import { backendProbes, probeBackends, registerBackendProbe, selectBackend } from './select-backend';

const tfjsNodeInstalled = (() => {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('backend selection', () => {
  it('probes every known backend in preference order without switching', async () => {
    const before = tf.getBackend();
    const results = await probeBackends();
    expect(results.map((r) => r.name).slice(0, 4)).toEqual(['tensorflow', 'wasm-ort', 'wasm', 'cpu']);
    expect(results.find((r) => r.name === 'cpu')?.available).toBe(true);
    expect(tf.getBackend()).toBe(before);
  });

  (tfjsNodeInstalled ? it.skip : it)('without tfjs-node, auto picks wasm-ort and says why tensorflow was passed over', async () => {
    const selection = await selectBackend('auto');
    expect(selection.name).toBe('wasm-ort');
    expect(tf.getBackend()).toBe('wasm-ort');
    const tensorflow = selection.tried[0];
    expect(tensorflow).toMatchObject({ name: 'tensorflow', ok: false });
    expect(tensorflow.detail).toMatch(/tfjs-node-gpu is not installed/);
    expect(tensorflow.hint).toMatch(/CUDA/);
    expect(selection.tried[1]).toMatchObject({ name: 'wasm-ort', ok: true });
  });

  it('activates a configured backend and refuses unknown names', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend('cuda')).rejects.toThrow(/unknown backend 'cuda'.*'tensorflow', 'wasm-ort', 'wasm', 'cpu'/);
  });

  it('reports why a configured backend cannot be used', async () => {
    const broken: BackendProbe = {
      name: 'broken-test-probe',
      description: 'always fails',
      probe: async () => ({ name: 'broken-test-probe', available: false, detail: 'no device', hint: 'plug one in' }),
      activate: async () => {
        throw new Error('no device');
      },
    };
    registerBackendProbe(broken, { before: 'cpu' });
    expect(backendProbes().map((p) => p.name).indexOf('broken-test-probe')).toBe(backendProbes().length - 2);
    await expect(selectBackend('broken-test-probe')).rejects.toThrow(ZlsError);
    await expect(selectBackend('broken-test-probe')).rejects.toThrow(/no device \(plug one in\)/);
    expect(() => registerBackendProbe(broken)).toThrow(/already registered/);
  });
});
