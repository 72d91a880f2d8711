/**
 * An AbortSignal that fires on the first SIGINT (Ctrl-C): the running stage finishes its step, saves a
 * checkpoint and stops, so a rerun resumes there. A second SIGINT exits at once. Call the returned function
 * to stop listening.
 */
export function interruptSignal(print: (line: string) => void = (l) => process.stderr.write(l + '\n')): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    print('\ninterrupted: saving a checkpoint after the current step (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}
