export * from './registry';
export * from './registries';
export * from './validate-options';
