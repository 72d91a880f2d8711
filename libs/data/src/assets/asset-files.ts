import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '@zls/core';

/**
 * Folder of the files this library ships (class lists, splits, word vectors, VOC id lists).
 * ZLS_DATA_ASSETS overrides it for bundled builds where the source layout is gone.
 */
export function dataAssetsDir(): string {
  return process.env['ZLS_DATA_ASSETS'] ?? path.resolve(__dirname, '..', '..', 'assets');
}

export function dataAssetPath(...parts: string[]): string {
  return path.join(dataAssetsDir(), ...parts);
}

const jsonCache = new Map<string, unknown>();

/** Parses a shipped JSON asset once per process (the COCO word vectors are ~0.6 MB each). */
export function readAssetJson<T>(relative: string): T {
  const file = dataAssetPath(relative);
  const cached = jsonCache.get(file);
  if (cached !== undefined) return cached as T;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(file, `cannot read a shipped data asset (${(e as NodeJS.ErrnoException).code ?? e}); set ZLS_DATA_ASSETS to libs/data/assets`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, `not valid JSON: ${(e as Error).message}`);
  }
  jsonCache.set(file, parsed);
  return parsed as T;
}
