/** What a probe found out about one backend, without switching to it. */
export interface ProbeResult {
  name: string;
  available: boolean;
  /** What loaded (package and version) or why not. */
  detail: string;
  /** For an unavailable backend: how a user would make it available. */
  hint?: string;
}

/**
 * One compute backend zls knows how to use. `probe` is cheap and side-effect free as far as the active
 * backend goes; `activate` makes it the active tfjs backend and runs a smoke test, throwing on failure.
 */
export interface BackendProbe {
  readonly name: string;
  readonly description: string;
  probe(): Promise<ProbeResult>;
  activate(): Promise<string>;
}
