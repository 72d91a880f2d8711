import type {
  Backbone,
  Head,
  PluginSource,
  PseudoLabeler,
  SampleTransform,
  SegDataset,
} from '../interfaces';
import { ResultColumns } from '../results/result-columns';
import { Registry } from './registry';

/**
 * One registry per component kind. Libraries and plugins add to it in their `register` functions;
 * the apps (composition roots) create it and build components from configuration.
 */
export class Registries {
  readonly dataset = new Registry<SegDataset>('dataset');
  readonly transform = new Registry<SampleTransform>('transform');
  readonly backbone = new Registry<Backbone>('backbone');
  readonly head = new Registry<Head>('head');
  readonly pseudoLabeler = new Registry<PseudoLabeler>('pseudo-labeler');
  /** The plugin packages that registered here (loadPlugins adds them), for threads that rebuild these registries. */
  readonly plugins: PluginSource[] = [];
  /** The results table's columns (plain descriptors, not built from config, so not a Registry). */
  readonly resultColumns = new ResultColumns();
  /** Kinds added by later libraries (models, generators, …) without changing this class. */
  private readonly extra = new Map<string, Registry<unknown>>();

  /** A registry for a kind this class does not name, created on first use. */
  of<T>(kind: string): Registry<T> {
    const named = this.all().find((r) => r.kind === kind);
    if (named) return named as Registry<T>;
    let reg = this.extra.get(kind);
    if (!reg) {
      reg = new Registry<unknown>(kind);
      this.extra.set(kind, reg);
    }
    return reg as Registry<T>;
  }

  all(): Registry<unknown>[] {
    return [this.dataset, this.transform, this.backbone, this.head, this.pseudoLabeler, ...this.extra.values()] as Registry<unknown>[];
  }
}
