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
      `${formatRate(rate * imagesPerStep)} img/s ETA ${formatDuration(eta)}`;
    this.out.write(this.out.isTTY ? `\r${text}\x1b[K${done ? '\n' : ''}` : text + '\n');
  }

  /** One line of its own (on a terminal it replaces the progress line, which the next update redraws). */
  note(text: string): void {
    this.out.write(this.out.isTTY ? `\r${text}\x1b[K\n` : text + '\n');
  }
}

/** The estimate is made after this many steps of a run; step 1 (graph building, first batch) is not timed. */
export const ESTIMATE_AFTER_STEPS = 3;

export interface StageEstimate {
  /** Steps this run trains: the whole stage, or what a resumed stage has left. */
  steps: number;
  /** Mean time of the timed steps (2 … ESTIMATE_AFTER_STEPS). */
  secondsPerStep: number;
  /** The steps run so far as they took, the rest at secondsPerStep. */
  seconds: number;
}

/** Times the first steps of a stage and estimates the whole of it once; `now` is injectable for tests. */
export class StageTimer {
  private readonly started: number;
  private afterFirst?: number;

  constructor(
    private readonly firstStep: number,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Call after each step with the steps done; returns the estimate once, after step firstStep + ESTIMATE_AFTER_STEPS. */
  stepDone(step: number): StageEstimate | undefined {
    const run = step - this.firstStep;
    if (run === 1) this.afterFirst = this.now();
    if (run !== ESTIMATE_AFTER_STEPS || this.afterFirst === undefined) return undefined;
    const t = this.now();
    const secondsPerStep = (t - this.afterFirst) / 1000 / (ESTIMATE_AFTER_STEPS - 1);
    return { steps: this.total - this.firstStep, secondsPerStep, seconds: (t - this.started) / 1000 + (this.total - step) * secondsPerStep };
  }
}

/** e.g. `stage spnet: ~40 min for 20 000 steps at 1.2 s/step on ort-cpu graphs`. */
export function formatStageEstimate(stage: string, e: StageEstimate, engine: string, resumedFrom = 0): string {
  const steps = String(e.steps).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const total = e.seconds < 90 ? `${Math.round(e.seconds)} s` : e.seconds < 2 * 3600 ? `${Math.round(e.seconds / 60)} min` : `${(e.seconds / 3600).toFixed(1)} h`;
  const sps = e.secondsPerStep;
  const perStep = sps < 1 ? `${Math.round(sps * 1000)} ms/step` : `${sps < 10 ? sps.toPrecision(2) : Math.round(sps)} s/step`;
  const resumed = resumedFrom > 0 ? ` (resumed at step ${resumedFrom})` : '';
  return `stage ${stage}: ~${total} for ${steps} steps${resumed} at ${perStep} on ${engine}`;
}

/** Two significant digits below 10 img/s (a ResNet-101 step on a CPU is well under 1 img/s). */
function formatRate(imagesPerSecond: number): string {
  return imagesPerSecond >= 10 || imagesPerSecond === 0 ? imagesPerSecond.toFixed(1) : imagesPerSecond.toPrecision(2);
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
