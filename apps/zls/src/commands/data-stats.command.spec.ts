import * as path from 'node:path';
import { dataStatsCommand } from './data-stats.command';

const VOC = path.resolve(__dirname, '../../../../libs/data/fixtures/voc12/VOCdevkit/VOC2012');

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await dataStatsCommand().exitOverride().configureOutput({ writeErr: () => undefined }).parseAsync(['node', 'stats', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('zls data stats', () => {
  it('prints the JSON report of the VOC sample', async () => {
    const report = JSON.parse(await run([VOC, '--dataset', 'voc12', '--split', 'val', '--json']));
    expect(report.images.read).toBe(2);
    expect(report.classes.find((c: { labelId: number }) => c.labelId === 1).pixelsBefore).toBe(30937);
  });

  it('prints a table without --json, and refuses an unknown dataset', async () => {
    const text = await run([VOC, '--dataset', 'voc12', '--split', 'val', '--background', 'class']);
    expect(text).toMatch(/\n\s+0\s+0\s+seen\s+198257\s+198257\s+2\s+background\n/);
    await expect(run([VOC, '--dataset', 'ade', '--split', 'val'])).rejects.toThrow(/argument 'ade' is invalid/);
  });
});
