import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { ConfigError, type ConfigIssue } from '../errors';
import type { ComponentContext } from '../interfaces/component-context';
import { TOKENS } from '../tokens';
import { collectOptionIssues, declaredOptions, describe, optionalOptions, validateOptions, type OptionsClass } from './validate-options';

/** A component as written in a config file: its registered `type` and its options. */
export interface ComponentConfig {
  type: string;
  [option: string]: unknown;
}

export interface RegistryEntry<T> {
  readonly type: string;
  readonly ctor: new (...args: never[]) => T;
  readonly optionsClass: OptionsClass;
  readonly description: string;
  /** Which package registered it: '@zls/…' for built-ins, the plugin's name otherwise. */
  readonly origin: string;
}

export interface OptionDescription {
  name: string;
  default: unknown;
  /** May be left out although it has no default. */
  optional: boolean;
}

/** Maps a `type` string to a component class and the class-validator class of its options. */
export class Registry<T> {
  private readonly entries = new Map<string, RegistryEntry<T>>();

  constructor(readonly kind: string) {}

  register(
    type: string,
    ctor: new (...args: never[]) => T,
    optionsClass: OptionsClass,
    description: string,
    origin = 'zls',
  ): this {
    const existing = this.entries.get(type);
    if (existing) {
      throw new Error(`${this.kind} "${type}" is already registered by ${existing.origin}`);
    }
    this.entries.set(type, { type, ctor, optionsClass, description, origin });
    return this;
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  types(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): RegistryEntry<T>[] {
    return this.types().map((t) => this.entries.get(t) as RegistryEntry<T>);
  }

  /** Option names with their defaults, for `zls list`. */
  describeOptions(type: string): OptionDescription[] {
    const entry = this.entry(type, '');
    const defaults = new entry.optionsClass() as Record<string, unknown>;
    const optional = optionalOptions(entry.optionsClass);
    return declaredOptions(entry.optionsClass).map((name) => ({ name, default: defaults[name], optional: optional.has(name) }));
  }

  /** Every problem with a component config at `path`, without building anything. */
  issues(config: unknown, path: string): ConfigIssue[] {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      return [{ path, message: `expected a ${this.kind} mapping with a "type" key, got ${describe(config)}` }];
    }
    const { type, ...options } = config as Record<string, unknown>;
    if (typeof type !== 'string') {
      return [{ path: `${path}.type`, message: `required; one of: ${this.types().join(', ') || '(none registered)'}` }];
    }
    const entry = this.entries.get(type);
    if (!entry) return [this.unknownType(type, path)];
    return collectOptionIssues(entry.optionsClass, options, path);
  }

  /**
   * Validates the options and resolves the component in a child container, where its options instance is
   * registered under its own class and under TOKENS.Options, the context under TOKENS.RunContext and the
   * context's class space (when it has one) under TOKENS.ClassSpace.
   */
  build(config: ComponentConfig, path: string, parent: DependencyContainer = rootContainer, context: ComponentContext = {}): T {
    const problems = this.issues(config, path);
    if (problems.length) throw new ConfigError(problems);
    const { type, ...plain } = config;
    const entry = this.entry(type, path);
    const options = validateOptions(entry.optionsClass, plain, path);
    const child = parent.createChildContainer();
    child.register(entry.optionsClass as InjectionToken<object>, { useValue: options });
    child.register(TOKENS.Options, { useValue: options });
    child.register(TOKENS.RunContext, { useValue: context });
    if (context.classSpace) child.register(TOKENS.ClassSpace, { useValue: context.classSpace });
    return child.resolve(entry.ctor as InjectionToken<T>);
  }

  private entry(type: string, path: string): RegistryEntry<T> {
    const entry = this.entries.get(type);
    if (!entry) throw new ConfigError([this.unknownType(type, path)]);
    return entry;
  }

  private unknownType(type: string, path: string): ConfigIssue {
    const known = this.types();
    return {
      path: path ? `${path}.type` : 'type',
      message: `unknown ${this.kind} "${type}"; registered: ${known.length ? known.join(', ') : '(none)'}`,
    };
  }
}
