import { CommanderError } from 'commander';
import { ZlsError } from '@zls/core';
import { createProgram } from './program';

/** Parses argv and runs one command; user errors print their message (no stack) and exit 1. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
    // A command that reports a failed check itself (doctor, data check) sets process.exitCode; main.ts would overwrite it.
    return Number(process.exitCode ?? 0) || 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ZlsError) {
      process.stderr.write(`zls: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
