export * from './tiny-conv-backbone';
export * from './plugin';
export { default } from './plugin';
