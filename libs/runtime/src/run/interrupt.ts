/**
 * An AbortSignal that fires on the first SIGINT (Ctrl-C): the running stage finishes its step, saves a
 * checkpoint and stops, so a rerun resumes there. A second SIGINT exits at once. Call the returned function
 * to stop listening.
 */
export function interruptSignal(
  print: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  /** Also SIGTERM for a batch job: Slurm's scancel, time limit and preemption send it before SIGKILL. */
  signals: readonly NodeJS.Signals[] = ['SIGINT'],
): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(name === 'SIGTERM' ? 143 : 130);
    print(name === 'SIGINT' ? '\ninterrupted: saving a checkpoint after the current step (Ctrl-C again to quit at once)' : `\n${name}: saving a checkpoint after the current step`);
    controller.abort();
  };
  for (const s of signals) process.on(s, onSignal);
  return { signal: controller.signal, release: () => signals.forEach((s) => process.off(s, onSignal)) };
}
