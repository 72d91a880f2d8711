export * from './registries';
export * from './load-experiment';
export * from './services/metrics-service';
export * from './services/model-service';
export * from './services/stage-checkpointer';
export * from './services/data-service';
export * from './run/held-out-data';
export * from './run/run-config';
