/** One finished run's headline numbers (percent), as the ablation collects them. */
export interface RunResult {
  method: string;
  seed: number;
  seen: number;
  unseen: number;
  harmonic: number;
}

export interface Stat {
  mean: number;
  /** Population standard deviation over seeds (0 for one seed), as in the prototype's tables. */
  std: number;
  n: number;
}

export interface MethodSummary {
  method: string;
  seeds: number[];
  seen: Stat;
  unseen: Stat;
  harmonic: Stat;
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), n: values.length };
}

/** Mean ± std per method over its seeds, methods in first-seen order. */
export function summariseRuns(results: readonly RunResult[]): MethodSummary[] {
  const order: string[] = [];
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    if (!groups.has(r.method)) {
      groups.set(r.method, []);
      order.push(r.method);
    }
    (groups.get(r.method) as RunResult[]).push(r);
  }
  return order.map((method) => {
    const runs = groups.get(method) as RunResult[];
    return {
      method,
      seeds: runs.map((r) => r.seed),
      seen: stat(runs.map((r) => r.seen)),
      unseen: stat(runs.map((r) => r.unseen)),
      harmonic: stat(runs.map((r) => r.harmonic)),
    };
  });
}
