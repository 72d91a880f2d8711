import { formatDuration, formatStageEstimate, ProgressLine, StageTimer } from './progress';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, out: { isTTY, write: (s: string) => lines.push(s) > 0 } };
}

describe('ProgressLine', () => {
  it('writes one line per tenth of the stage to a log, however fast the steps are', () => {
    const { lines, out } = sink(false);
    const progress = new ProgressLine('spnet', 100, out, 10_000);
    for (let step = 1; step <= 100; step++) progress.update(step, 1 / step, 16);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^spnet 10\/100 loss 0\.1000 [\d.]+ img\/s ETA /);
    expect(lines[9]).toMatch(/^spnet 100\/100 loss 0\.0100 /);
  });

  it('rewrites the line on a terminal and ends it at the last step', () => {
    const { lines, out } = sink(true);
    const progress = new ProgressLine('round 1', 3, out, 0);
    for (let step = 1; step <= 3; step++) progress.update(step, 0.5, 8);
    expect(lines).toHaveLength(3);
    expect(lines[0].startsWith('\r')).toBe(true);
    expect(lines[2].endsWith('\n')).toBe(true);
  });
});

describe('formatDuration', () => {
  it('formats minutes and hours', () => {
    expect(formatDuration(65)).toBe('01:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });
});

describe('StageTimer', () => {
  it('estimates once, after step 3, from the time of steps 2 and 3 (step 1 builds the graph)', () => {
    let t = 1_000;
    const timer = new StageTimer(0, 20_000, () => t);
    const times = [60_000, 1_100, 1_300]; // step 1 is slow, steps 2 and 3 average 1.2 s
    const estimates = [1, 2, 3, 4].map((step) => {
      t += times[step - 1] ?? 1_000;
      return timer.stepDone(step);
    });
    expect(estimates[0]).toBeUndefined();
    expect(estimates[1]).toBeUndefined();
    expect(estimates[3]).toBeUndefined();
    expect(estimates[2]?.steps).toBe(20_000);
    expect(estimates[2]?.secondsPerStep).toBeCloseTo(1.2, 9);
    expect(estimates[2]?.seconds).toBeCloseTo(62.4 + 19_997 * 1.2, 6);
    expect(formatStageEstimate('spnet', estimates[2]!, 'ort-cpu graphs')).toBe('stage spnet: ~6.7 h for 20 000 steps at 1.2 s/step on ort-cpu graphs');
  });

  it('counts from the resumed step, and formats short stages in seconds and minutes', () => {
    let t = 0;
    const timer = new StageTimer(400, 1_000, () => t);
    for (const step of [401, 402]) expect(timer.stepDone(step)).toBeUndefined();
    t = 250;
    const e = timer.stepDone(403);
    expect(e).toEqual({ steps: 600, secondsPerStep: 0.125, seconds: 0.25 + 597 * 0.125 });
    expect(formatStageEstimate('round-1', e!, 'tfjs cpu', 400)).toBe('stage round-1: ~75 s for 600 steps (resumed at step 400) at 125 ms/step on tfjs cpu');
    expect(formatStageEstimate('x', { steps: 2_000, secondsPerStep: 1.5, seconds: 3_000 }, 'e')).toMatch(/~50 min for 2 000 steps at 1\.5 s\/step/);
  });
});
