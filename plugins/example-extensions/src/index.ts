export * from './brightness-jitter-transform';
export * from './confidence-threshold-labeler';
export * from './linear-projection-head';
export * from './plugin';
export { default } from './plugin';
