import { doctorCommand, formatDoctorReport, runDoctor } from './doctor.command';

describe('zls doctor', () => {
  it('lists every backend, the choice, and how to enable a missing tensorflow backend', async () => {
    const report = await runDoctor('auto');
    expect(report.probes.map((p) => p.name)).toEqual(expect.arrayContaining(['tensorflow', 'wasm-ort', 'wasm', 'cpu']));
    const selected = report.selection?.name;
    expect(selected).toBeDefined();
    const text = formatDoctorReport(report);
    expect(text).toContain(`selected (auto): training graphs on ort-cpu, tfjs backend ${selected}`);
    expect(report.graphEngines.find((e) => e.name === 'ort-cpu')?.available).toBe(true);
    // Whether convolutions in training graphs run on the blocked kernels (x86-64 always has them).
    if (process.arch === 'x64') expect(text).toMatch(/ort-cpu .*channel-blocked \(NCHWc\) kernels, block (8|16)/);
    const cuda = report.graphEngines.find((e) => e.name === 'ort-cuda');
    if (cuda && !cuda.available) expect(text).toMatch(/ort-cuda .*\n.*to enable: .*ONNXRUNTIME_NODE_INSTALL=cuda12/);
    const tensorflow = report.probes.find((p) => p.name === 'tensorflow');
    if (tensorflow && !tensorflow.available) {
      expect(text).toMatch(/to enable: .*tfjs-node-gpu@4\.22\.0/);
      expect(text).toMatch(/passed tensorflow: /);
    }
  });

  it('prints JSON and sets a failing exit code for an unusable backend', async () => {
    const chunks: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    try {
      await doctorCommand().parseAsync(['--backend', 'no-such-backend', '--json'], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const parsed = JSON.parse(chunks.join('')) as { selection: unknown; error: string };
    expect(parsed.selection).toBeNull();
    expect(parsed.error).toMatch(/unknown backend 'no-such-backend'/);
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });
});
