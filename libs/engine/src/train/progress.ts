/** One line of training progress, rewritten in place on a terminal: step, loss, throughput and ETA. */
export class ProgressLine {
  private readonly started = Date.now();
  private lastPrint = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean } = process.stderr,
    private readonly minIntervalMs = 500,
  ) {}

  update(step: number, loss: number, imagesPerStep: number, firstStep = 0): void {
    const now = Date.now();
    const done = step >= this.total;
    const stepsDone = step - firstStep;
    // A terminal gets the line rewritten at most every minIntervalMs; a log file gets one line per tenth.
    const due = this.out.isTTY ? now - this.lastPrint >= this.minIntervalMs : stepsDone % Math.max(1, Math.round(this.total / 10)) === 0;
    if (!done && !due) return;
    this.lastPrint = now;
    const seconds = (now - this.started) / 1000;
    const rate = stepsDone > 0 && seconds > 0 ? stepsDone / seconds : 0;
    const eta = rate > 0 ? (this.total - step) / rate : NaN;
    const text =
      `${this.label} ${step}/${this.total} loss ${loss.toFixed(4)} ` +
      `${(rate * imagesPerStep).toFixed(1)} img/s ETA ${formatDuration(eta)}`;
    this.out.write(this.out.isTTY ? `\r${text}\x1b[K${done ? '\n' : ''}` : text + '\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
