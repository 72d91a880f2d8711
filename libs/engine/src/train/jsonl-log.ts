import * as fs from 'node:fs';
import * as path from 'node:path';

/** Appends one JSON object per line; a crash loses at most the line being written, never earlier ones. */
export class JsonlLog {
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  write(record: Record<string, unknown>): void {
    try {
      fs.appendFileSync(this.file, JSON.stringify(record) + '\n');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOSPC' ? 'disk full' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      throw new Error(`cannot append to the training log ${this.file}: ${why} (earlier lines and checkpoints are intact)`);
    }
  }

  /** Reads a log back, skipping a torn last line. */
  static read(file: string): Record<string, unknown>[] {
    if (!fs.existsSync(file)) return [];
    const out: Record<string, unknown>[] = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // A line cut by a kill is expected at the end; anything after it was never written.
      }
    }
    return out;
  }
}
