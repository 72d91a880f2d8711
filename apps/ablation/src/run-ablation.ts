import * as fs from 'node:fs';
import * as path from 'node:path';
import { experimentIssues, loadPlugins, readRunResult, writeFileAtomic, ConfigError, ExperimentSchema, type Registries, type RunResult } from '@zls/core';
import { comparisonMarkdown, resultRow, summariseRuns, type MethodSummary } from '@zls/report';
import { runConfig } from '@zls/runtime';
import type { AblationSchema } from './ablation-schema';
import { dataDrawNote, expandAblation, type PlannedRun } from './expand-ablation';
import { perClassQualityMarkdown, qualityMarkdown } from './quality-table';

export interface AblationOutcome {
  name: string;
  table: MethodSummary[];
  markdown: string;
  qualityMarkdown: string;
  /** Precision, coverage and IoU of each unseen class's pseudo-labels per method and round. */
  perClassQualityMarkdown: string;
  folder: string;
  seconds: number;
}

export interface RunAblationOptions {
  file: string;
  registries: Registries;
  /** Root of all ablation output; this ablation writes to <out>/<ablation name>/. */
  out: string;
  print?: (line: string) => void;
  showProgress?: boolean;
  /** Only these methods (by name). */
  only?: readonly string[];
  signal?: AbortSignal;
  /** Let backbones that need pretrained weights start from random ones (`allowRandomInit` in every run). */
  allowRandomInit?: boolean;
  /** onnxruntime threads per run (default: every core). */
  threads?: number;
  /** A stage another process is writing: wait for it (default) or refuse. */
  waitForStages?: boolean;
}

/** An ablation file resolved and validated: its runs, the selected ones, and where they write. */
export interface AblationPlan {
  ablation: AblationSchema;
  runs: PlannedRun[];
  /** The runs `only` selects (all of them without it). */
  selected: PlannedRun[];
  /** <out>/<ablation name>: run folders, tables, job logs. */
  folder: string;
  /** <out>/stages: stage folders shared by every ablation under the same root. */
  stageRoot: string;
}

/** Loads the plugins the configs name, expands the ablation into runs, and validates every run before any work. */
export async function planAblation(options: Pick<RunAblationOptions, 'file' | 'registries' | 'out' | 'only'>): Promise<AblationPlan> {
  // Plugins (named in the configs) come first: a plugin's dataset may take a seed, which expansion asks about.
  const plugins = [...new Set(expandAblation(options.file).runs.flatMap((r) => (r.config['plugins'] as string[] | undefined) ?? []))];
  await loadPlugins(plugins, options.registries, path.dirname(path.resolve(options.file)));
  const datasets = options.registries.dataset;
  const datasetTakesSeed = (type: string) => datasets.has(type) && datasets.describeOptions(type).some((o) => o.name === 'seed');
  const { ablation, runs } = expandAblation(options.file, { datasetTakesSeed });
  // Validate every run before any work starts: a typo in the last method must not cost the first ones.
  const problems = runs.flatMap((r) => experimentIssues(r.config, options.registries).map((i) => ({ ...i, path: `${r.method}: ${i.path}` })));
  if (problems.length) throw new ConfigError(problems, options.file);
  const unknown = (options.only ?? []).filter((m) => !runs.some((r) => r.method === m));
  if (unknown.length) throw new ConfigError(unknown.map((m) => ({ path: '--only', message: `no method "${m}" in this ablation (${[...new Set(runs.map((r) => r.method))].join(', ')})` })), options.file);
  const selected = options.only?.length ? runs.filter((r) => options.only?.includes(r.method)) : runs;
  return { ablation, runs, selected, folder: path.join(options.out, ablation.name), stageRoot: path.join(options.out, 'stages') };
}

/** A run's config (as written, and typed) as the ablation runs it. */
export function runConfigOf(run: PlannedRun, allowRandomInit?: boolean): Pick<PlannedRun, 'config' | 'experiment'> {
  if (!allowRandomInit) return { config: run.config, experiment: run.experiment };
  return { config: { ...run.config, allowRandomInit: true }, experiment: Object.assign(new ExperimentSchema(), run.experiment, { allowRandomInit: true }) };
}

function methodLabel(run: PlannedRun, result: RunResult): string {
  // An oracle choice of γ uses unseen labels: say so in every table.
  return result.calibration?.rule === 'oracle-val' ? `${run.method} (oracle γ)` : run.method;
}

/**
 * Every (method, seed) of an ablation file, each in a folder keyed by its resolved config's hash: a finished
 * run (results.json present) is read back, not rerun, and an interrupted one resumes from its checkpoints.
 * Stages shared between methods (the SPNet of a seed, a first round) are trained once.
 */
export async function runAblation(options: RunAblationOptions): Promise<AblationOutcome> {
  const started = Date.now();
  const print = options.print ?? (() => undefined);
  const { ablation, selected, folder, stageRoot } = await planAblation(options);
  const done: { run: PlannedRun; result: RunResult }[] = [];
  for (const [i, run] of selected.entries()) {
    const runDir = path.join(folder, run.folder);
    const resultsFile = path.join(runDir, 'results.json');
    let result: RunResult;
    if (fs.existsSync(resultsFile)) {
      result = readRunResult(JSON.parse(fs.readFileSync(resultsFile, 'utf8')), resultsFile);
      print(`[${i + 1}/${selected.length}] ${run.method} seed ${run.seed}: finished earlier, read from ${resultsFile}`);
    } else {
      print(`[${i + 1}/${selected.length}] ${run.method} seed ${run.seed} → ${runDir}`);
      result = await runConfig({
        ...runConfigOf(run, options.allowRandomInit),
        registries: options.registries,
        runDir,
        // Stages are keyed by content, so every ablation under the same root shares them (zls train too).
        stageRoot,
        sourceFiles: [run.configFile],
        print: (line) => print(`  ${line}`),
        showProgress: options.showProgress,
        signal: options.signal,
        threads: options.threads,
        waitForStages: options.waitForStages,
      });
    }
    done.push({ run, result });
  }

  // The registered columns: the headline ones and any a plugin added.
  const columns = options.registries.resultColumns.list();
  const table = summariseRuns(
    done.map(({ run, result }) => resultRow(methodLabel(run, result), run.seed, result, columns)),
    columns,
  );
  const markdown = `${comparisonMarkdown(table, columns)}\n${dataDrawNote(selected)}\n`;
  const quality = qualityMarkdown(done.map(({ run, result }) => ({ method: run.method, result })));
  const perClassQuality = perClassQualityMarkdown(done.map(({ run, result }) => ({ method: run.method, result })));
  const seconds = (Date.now() - started) / 1000;
  writeFileAtomic(path.join(folder, 'results.md'), `# ${ablation.name}\n\n${markdown}\n## Pseudo-label quality\n\n${quality}\n## Pseudo-label quality per unseen class\n\n${perClassQuality}`);
  writeFileAtomic(
    path.join(folder, 'results.json'),
    JSON.stringify({ name: ablation.name, table, runs: done.map(({ run, result }) => ({ method: run.method, seed: run.seed, folder: run.folder, result })) }, null, 2) + '\n',
  );
  return { name: ablation.name, table, markdown, qualityMarkdown: quality, perClassQualityMarkdown: perClassQuality, folder, seconds };
}
