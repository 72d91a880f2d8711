import { ExperimentSchema } from '@zls/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseStageKey, heldOutStageKey, roundStageKey, type PlannedStage } from '@zls/engine';
import { createRegistries } from '@zls/runtime';
import { useTempDir } from '@zls/testing';
import { expandAblation, type PlannedRun } from './expand-ablation';
import { buildStageGraph, nodeFinished, nodesFor, runNodeId, stageProgress, type StageGraph } from './stage-graph';

const ablations = path.resolve(__dirname, '../../../experiments/ablations');
const registries = createRegistries();
const datasetTakesSeed = (type: string) => registries.dataset.has(type) && registries.dataset.describeOptions(type).some((o) => o.name === 'seed');
const runsOf = (file: string) => expandAblation(path.join(ablations, file), { datasetTakesSeed }).runs;

function expectTopological(graph: StageGraph): void {
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    for (const need of node.needs) expect(`${node.id} needs ${need}: ${seen.has(need)}`).toBe(`${node.id} needs ${need}: true`);
    seen.add(node.id);
  }
  expect(seen.size).toBe(graph.nodes.length);
}

describe('buildStageGraph', () => {
  it('the main job: one SPNet for six methods, shared first rounds, the held-out SPNet on its own', () => {
    const runs = runsOf('default.yaml');
    const graph = buildStageGraph(runs);
    expectTopological(graph);
    const stages = graph.nodes.filter((n) => n.kind === 'stage');
    expect(stages.map((n) => n.stage?.name).sort()).toEqual(['round-1', 'round-1', 'round-2', 'round-2', 'spnet', 'spnet-held-out']);
    expect(graph.nodes.filter((n) => n.kind === 'run')).toHaveLength(6);
    const spnet = stages.find((n) => n.stage?.name === 'spnet');
    expect(spnet?.id).toBe(baseStageKey(runs[0].config));
    expect(spnet?.needs).toEqual([]);
    expect(spnet?.usedBy).toEqual(runs.map((r) => `${r.method} seed 0`));
    // The held-out SPNet of SPNet-c needs no other stage, so it can train beside the SPNet.
    const c = runs.find((r) => r.method === 'SPNet-c') as PlannedRun;
    const heldOut = graph.byId.get(heldOutStageKey(c.config, c.config['calibration']));
    expect(heldOut?.stage?.name).toBe('spnet-held-out');
    expect(heldOut?.needs).toEqual([]);
    expect(graph.byId.get(runNodeId(c))?.needs.sort()).toEqual([spnet?.id, heldOut?.id].sort());
    // SPNet+ST's first round is SPNet+ST-2r's; the second round needs it.
    const st = runs.find((r) => r.method === 'SPNet+ST') as PlannedRun;
    const st2 = runs.find((r) => r.method === 'SPNet+ST-2r') as PlannedRun;
    const round1 = roundStageKey(baseStageKey(st.config), st.config, 1);
    expect(graph.byId.get(round1)?.usedBy).toEqual(['SPNet+ST seed 0', 'SPNet+ST-2r seed 0']);
    expect(graph.byId.get(round1)?.needs).toEqual([spnet?.id]);
    const round2 = roundStageKey(round1, st2.config, 2);
    expect(graph.byId.get(round2)?.needs).toEqual([round1]);
    expect(graph.byId.get(runNodeId(st2))?.needs).toEqual([round2]);
    expect(graph.byId.get(runNodeId(st))?.needs).toEqual([round1]);
  });

  it('rounds.yaml: each longer run adds one round to the shorter ones (one six-round chain per labeller and seed)', () => {
    const graph = buildStageGraph(runsOf('rounds.yaml'));
    expectTopological(graph);
    const stages = graph.nodes.filter((n) => n.kind === 'stage');
    expect(stages).toHaveLength(3 * (1 + 2 * 6));
    expect(graph.nodes.filter((n) => n.kind === 'run')).toHaveLength(3 * 12);
    for (const n of stages) expect(n.needs.length).toBe(n.stage?.name === 'spnet' ? 0 : 1);
  });

  it('ZS3Net: the generative stage sits between the SPNet and the rounds', () => {
    const runs = runsOf('full.yaml').filter((r) => r.seed === 0 && (r.method === 'ZS3Net' || r.method === 'ZS5Net' || r.method === 'SPNet'));
    const graph = buildStageGraph(runs);
    expectTopological(graph);
    const zs3 = graph.nodes.filter((n) => n.stage?.name === 'zs3');
    expect(zs3).toHaveLength(1);
    expect(zs3[0].usedBy).toEqual(['ZS3Net seed 0', 'ZS5Net seed 0']);
    const zs3net = runs.find((r) => r.method === 'ZS3Net') as PlannedRun;
    expect(zs3[0].needs).toEqual([baseStageKey(zs3net.config)]);
    const round = graph.nodes.find((n) => n.stage?.name === 'round-1');
    expect(round?.needs).toEqual([zs3[0].id]);
  });

  it('nodesFor: only what the selected runs need', () => {
    const runs = runsOf('default.yaml');
    const graph = buildStageGraph(runs);
    const spnetOnly = nodesFor(graph, runs.filter((r) => r.method === 'SPNet'));
    expect(spnetOnly.map((n) => n.kind)).toEqual(['stage', 'run']);
    const strict2 = nodesFor(graph, runs.filter((r) => r.method === 'STRICT-2r'));
    expect(strict2.map((n) => n.stage?.name ?? 'run')).toEqual(['spnet', 'round-1', 'round-2', 'run']);
  });

  describe('on disk', () => {
    const dir = useTempDir('zls-graph-');
    it('a stage is finished at its final checkpoint (a round also with its pseudo-label quality), a run with results.json', () => {
      const stage: PlannedStage = { key: 'round1-x', name: 'round-1', steps: 400, after: 'spnet-x', files: ['pseudo-label-quality.json'] };
      const run = { method: 'A', seed: 0, folder: 'A-seed0-h', config: {}, experiment: new ExperimentSchema(), configFile: '', overrides: [], hash: 'h' } as PlannedRun;
      const graph = buildStageGraph([run], () => [{ key: 'spnet-x', name: 'spnet', steps: 1000, files: [] }, stage]);
      const [spnet, round, runNode] = graph.nodes;
      const stageRoot = path.join(dir(), 'stages');
      const folder = path.join(dir(), 'abl');
      expect(nodeFinished(round, folder, stageRoot)).toBe(false);
      fs.mkdirSync(path.join(stageRoot, 'round1-x'), { recursive: true });
      fs.writeFileSync(path.join(stageRoot, 'round1-x', 'round-1-step0000200.safetensors'), '');
      expect(stageProgress(round, stageRoot)).toBe('checkpoint at step 200/400');
      fs.writeFileSync(path.join(stageRoot, 'round1-x', 'round-1-step0000400.safetensors'), '');
      expect(nodeFinished(round, folder, stageRoot)).toBe(false);
      fs.writeFileSync(path.join(stageRoot, 'round1-x', 'pseudo-label-quality.json'), '{}');
      expect(nodeFinished(round, folder, stageRoot)).toBe(true);
      expect(nodeFinished(spnet, folder, stageRoot)).toBe(false);
      expect(nodeFinished(runNode, folder, stageRoot)).toBe(false);
      fs.mkdirSync(path.join(folder, 'A-seed0-h'), { recursive: true });
      fs.writeFileSync(path.join(folder, 'A-seed0-h', 'results.json'), '{}');
      expect(nodeFinished(runNode, folder, stageRoot)).toBe(true);
      expect(runNode.needs).toEqual(['round1-x']);
    });
  });
});
