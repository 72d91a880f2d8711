import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';
import { registerZlsGradients } from '../gradients/register-gradients';
import { BackendProbe, ProbeResult } from './backend-probe';
import { cpuProbe, tensorflowProbe, wasmOrtProbe, wasmProbe } from './builtin-probes';

/**
 * The backends zls knows, in the order automatic selection tries them. Open for more (e.g. a WebGPU probe):
 * `registerBackendProbe(probe, {before: 'wasm-ort'})`.
 */
const probes: BackendProbe[] = [tensorflowProbe, wasmOrtProbe, wasmProbe, cpuProbe];

export function registerBackendProbe(probe: BackendProbe, position: { before?: string } = {}): void {
  if (probes.some((p) => p.name === probe.name)) throw new ZlsError(`backend probe '${probe.name}' is already registered`);
  const at = position.before ? probes.findIndex((p) => p.name === position.before) : -1;
  if (position.before && at < 0) throw new ZlsError(`cannot insert probe '${probe.name}' before unknown backend '${position.before}'`);
  probes.splice(at < 0 ? probes.length : at, 0, probe);
}

export function backendProbes(): readonly BackendProbe[] {
  return probes;
}

/** Runs every probe (none switches the active backend). */
export async function probeBackends(): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const p of probes) results.push(await p.probe());
  return results;
}

export interface BackendAttempt {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

export interface BackendSelection {
  name: string;
  detail: string;
  tried: BackendAttempt[];
}

/**
 * Makes `name` the active tfjs backend, or with 'auto' the first of tensorflow → wasm-ort → wasm → cpu that
 * activates. Registers zls' gradients either way. Throws a ZlsError naming the reason when a configured
 * backend cannot be used, listing the known names when it is unknown.
 */
export async function selectBackend(name: string | 'auto'): Promise<BackendSelection> {
  registerZlsGradients();
  const candidates = name === 'auto' ? probes : probes.filter((p) => p.name === name);
  if (candidates.length === 0) {
    const graphEngines = ['ort-cpu', 'ort-cuda', 'ort-webgpu'].map((n) => `'${n}'`).join(', ');
    throw new ZlsError(`unknown backend '${name}': expected 'auto', a training-graph engine (${graphEngines}) or a tfjs backend (${probes.map((p) => `'${p.name}'`).join(', ')})`);
  }
  const tried: BackendAttempt[] = [];
  for (const probe of candidates) {
    try {
      const detail = await probe.activate();
      tried.push({ name: probe.name, ok: true, detail });
      return { name: probe.name, detail, tried };
    } catch (e) {
      const hint = (await probe.probe().catch(() => undefined))?.hint;
      tried.push({ name: probe.name, ok: false, detail: e instanceof Error ? e.message.split('\n')[0] : String(e), hint });
    }
  }
  const lines = tried.map((t) => `  ${t.name}: ${t.detail}${t.hint ? ` (${t.hint})` : ''}`).join('\n');
  throw new ZlsError(`no usable compute backend for '${name}':\n${lines}\n(active backend stays '${tf.getBackend()}')`);
}
