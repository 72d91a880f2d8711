import * as fs from 'node:fs';

/**
 * Calls `onLine` for every line of a text file, reading it in chunks so that multi-gigabyte word-vector files
 * never sit in memory whole. Returning false from `onLine` stops early.
 */
export function forEachLine(file: string, onLine: (line: string, lineNumber: number) => boolean | void): void {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let lineNumber = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      const buf = n > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : carry;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        lineNumber++;
        if (onLine(buf.toString('utf8', start, nl).replace(/\r$/, ''), lineNumber) === false) return;
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
      if (n === 0) {
        if (carry.length > 0) onLine(carry.toString('utf8').replace(/\r$/, ''), lineNumber + 1);
        return;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
