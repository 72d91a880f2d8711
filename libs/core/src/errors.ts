/** Base class of every error zls raises on purpose: the message is meant for the user, not a stack trace. */
export class ZlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem at one place in a configuration tree, e.g. `model.backbone.outputStride`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A configuration that failed validation; lists every issue found, each with its full path. */
export class ConfigError extends ZlsError {
  constructor(
    readonly issues: ConfigIssue[],
    readonly source?: string,
  ) {
    super(
      (source ? `invalid configuration in ${source}:\n` : 'invalid configuration:\n') +
        issues.map((i) => `  ${i.path || '<root>'}: ${i.message}`).join('\n'),
    );
  }
}

/** Bad input data (a file, a list, a value): the message names the file and what was expected. */
export class DataError extends ZlsError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}
