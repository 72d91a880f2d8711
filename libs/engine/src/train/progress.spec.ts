import { formatDuration, ProgressLine } from './progress';

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
