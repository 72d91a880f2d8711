import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { ConfigError, type ConfigIssue } from '../errors';
import type { Registries } from '../registry/registries';
import { collectOptionIssues } from '../registry/validate-options';
import { COMPONENT_SLOTS, ExperimentSchema } from './experiment-schema';
import type { Plain } from './merge';

function at(config: Plain, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Plain)[key] : undefined), config);
}

/**
 * Validates a whole merged experiment config: the top-level schema and every component slot against
 * its registry. Reports all issues at once, each with its full path. Plugins must be loaded before this.
 */
export function experimentIssues(config: Plain, registries: Registries): ConfigIssue[] {
  const issues = collectOptionIssues(ExperimentSchema, config, '');
  for (const slot of COMPONENT_SLOTS) {
    const value = at(config, slot.path);
    if (value === undefined) {
      if (slot.required) issues.push({ path: slot.path, message: `required: a ${slot.kind} with a "type" key` });
      continue;
    }
    const registry = registries.of(slot.kind);
    if (slot.list) {
      if (!Array.isArray(value)) issues.push({ path: slot.path, message: `expected a list of ${slot.kind} configs` });
      else value.forEach((item, i) => issues.push(...registry.issues(item, `${slot.path}.${i}`)));
    } else {
      issues.push(...registry.issues(value, slot.path));
    }
  }
  return issues;
}

/**
 * Validates a whole merged experiment config (see experimentIssues) and returns it typed: every section
 * present, defaults filled in. The one place a run's config is validated; the typed experiment flows down,
 * and the raw config is kept only for hashing.
 */
export function validateExperiment(config: Plain, registries: Registries, source?: string): ExperimentSchema {
  const issues = experimentIssues(config, registries);
  if (issues.length) throw new ConfigError(issues, source);
  return typedExperiment(config);
}

/**
 * The typed experiment of a config that experimentIssues already passed (an ablation checks all its runs before
 * any work): a conversion, not a second validation.
 */
export function typedExperiment(config: Plain): ExperimentSchema {
  return plainToInstance(ExperimentSchema, config, { exposeDefaultValues: true });
}
