import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { ConfigError, type ConfigIssue } from '../errors';

export type OptionsClass<O extends object = object> = new () => O;

/** Property names that carry at least one class-validator decorator: the options a class accepts. */
export function declaredOptions(optionsClass: OptionsClass): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(optionsClass, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))].sort();
}

/** Options marked @IsOptional(): they may be left out even without a default. */
export function optionalOptions(optionsClass: OptionsClass): Set<string> {
  const metas = getMetadataStorage().getTargetValidationMetadatas(optionsClass, '', true, false);
  return new Set(metas.filter((m) => m.type === 'conditionalValidation').map((m) => m.propertyName));
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function unknownOption(owner: object | undefined): string {
  const allowed = owner ? declaredOptions(owner.constructor as OptionsClass) : [];
  return `unknown option (allowed: ${allowed.join(', ') || 'none'})`;
}

function flatten(errors: ValidationError[], path: string, out: ConfigIssue[]): void {
  for (const e of errors) {
    const here = join(path, e.property);
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      // class-validator prefixes messages with the property name; the path already says it.
      const text = message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message;
      out.push({ path: here, message: rule === 'whitelistValidation' ? unknownOption(e.target) : text });
    }
    if (e.children?.length) flatten(e.children, here, out);
  }
}

/**
 * Turns a plain config object into a validated options instance. Defaults come from the class's property
 * initialisers; unknown keys are rejected, listing the keys the class accepts.
 */
export function validateOptions<O extends object>(
  optionsClass: OptionsClass<O>,
  plain: Record<string, unknown>,
  path: string,
): O {
  const issues = collectOptionIssues(optionsClass, plain, path);
  if (issues.length) throw new ConfigError(issues);
  return toInstance(optionsClass, plain);
}

function toInstance<O extends object>(optionsClass: OptionsClass<O>, plain: Record<string, unknown>): O {
  return plainToInstance(optionsClass, plain, { exposeDefaultValues: true }) as O;
}

/** Like validateOptions, but returns the issues instead of throwing (for whole-config validation). */
export function collectOptionIssues(
  optionsClass: OptionsClass,
  plain: Record<string, unknown>,
  path: string,
): ConfigIssue[] {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return [{ path, message: `expected a mapping of options, got ${describe(plain)}` }];
  }
  if (declaredOptions(optionsClass).length === 0) {
    // class-validator refuses to validate a class without decorators; such a component takes no options.
    return Object.keys(plain).map((key) => ({ path: join(path, key), message: 'unknown option (this component takes no options)' }));
  }
  const instance = toInstance(optionsClass, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const issues: ConfigIssue[] = [];
  flatten(errors, path, issues);
  return issues;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string "${value}"`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
