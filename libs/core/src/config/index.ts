export * from './merge';
export * from './overrides';
export * from './load-config';
export * from './config-hash';
export * from './experiment-schema';
export * from './validate-experiment';
export * from './save-config';
