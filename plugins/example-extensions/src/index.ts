export * from './brightness-jitter-transform';
export * from './confidence-threshold-labeler';
export * from './linear-projection-head';
export * from './plugin';
export * from './pseudo-label-precision-column';
export * from './stripes-class-space';
export * from './stripes-dataset';
export * from './stripes-family';
export { default } from './plugin';
