import { Command } from 'commander';
import { backendProbes, chooseEngines, probeBackends, probeGraphEngines, selectBackend, type BackendSelection, type GraphEngineProbe, type ProbeResult } from '@zls/backend';

export interface DoctorReport {
  probes: ProbeResult[];
  /** Where training graphs can run (onnxruntime execution providers). */
  graphEngines: GraphEngineProbe[];
  /** The graph engine `backend` trains with; null when it trains through tfjs autodiff. */
  graphEngine: string | null;
  selection: BackendSelection | null;
  /** Why selection failed, when it did. */
  error: string | null;
}

/** Runs every backend probe, then the selection `zls` would make for `backend` ('auto' by default). */
export async function runDoctor(backend = 'auto'): Promise<DoctorReport> {
  const probes = await probeBackends();
  const graphEngines = await probeGraphEngines(backend === 'ort-webgpu');
  try {
    const engines = chooseEngines(backend);
    const graphEngine = engines.graphs?.name ?? null;
    return { probes, graphEngines, graphEngine, selection: await selectBackend(engines.tfjsBackend), error: null };
  } catch (e) {
    return { probes, graphEngines, graphEngine: null, selection: null, error: e instanceof Error ? e.message : String(e) };
  }
}

export function formatDoctorReport(report: DoctorReport, requested = 'auto'): string {
  const descriptions = new Map(backendProbes().map((p) => [p.name, p.description]));
  const lines = ['training-graph engines (each training step as one onnxruntime graph; `auto` uses ort-cpu):'];
  for (const e of report.graphEngines) {
    lines.push(`  ${e.available ? 'ok  ' : 'no  '} ${e.name.padEnd(11)} ${e.detail}`);
    if (!e.available && e.hint) lines.push(`         to enable: ${e.hint}`);
  }
  lines.push('', 'tfjs backends (everything else, and training for models without ONNX; in automatic-selection order):');
  for (const p of report.probes) {
    lines.push(`  ${p.available ? 'ok  ' : 'no  '} ${p.name.padEnd(11)} ${descriptions.get(p.name) ?? ''}`);
    lines.push(`         ${p.detail}`);
    if (!p.available && p.hint) lines.push(`         to enable: ${p.hint}`);
  }
  lines.push('');
  if (report.selection) {
    lines.push(`selected (${requested}): ${report.graphEngine ? `training graphs on ${report.graphEngine}, ` : 'training through tfjs autodiff, '}tfjs backend ${report.selection.name}`);
    for (const t of report.selection.tried) lines.push(`  ${t.ok ? 'chose ' : 'passed'} ${t.name}: ${t.detail}`);
  } else {
    lines.push(`selection (${requested}) failed: ${report.error}`);
  }
  return lines.join('\n') + '\n';
}

/** `zls doctor [--backend NAME] [--json]`: which compute backends load, which is chosen and why. */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check which compute backends load here, which one zls selects and why')
    .option('--backend <name>', "backend to select ('auto', 'ort-cpu', 'ort-cuda', 'ort-webgpu', 'tensorflow', 'wasm-ort', 'wasm', 'cpu')", 'auto')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { backend: string; json?: boolean }) => {
      const report = await runDoctor(opts.backend);
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctorReport(report, opts.backend));
      if (!report.selection) process.exitCode = 1;
    });
}
