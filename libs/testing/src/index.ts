export * from './fixtures/temp-dir';
export * from './fixtures/random-labels';
export * from './contracts/backbone-contract';
export * from './contracts/backbone-onnx-export';
export * from './fixtures/echo-model';
export * from './fixtures/tiny-synthetic';
export * from './browser/headless-chromium';
export * from './contracts/dataset-plugin-fixture';
