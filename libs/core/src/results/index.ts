export * from './stat';
export * from './pseudo-label-quality';
export * from './run-result';
export * from './read-run-result';
export * from './result-column';
export * from './result-columns';
