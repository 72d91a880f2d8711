export * from './selection/consistency';
export * from './selection/top-p';
export * from './views/view-scores';
export * from './labelers/argmax-labeler';
export * from './labelers/top-p-labeler';
export * from './labelers/consistency-labeler';
export * from './labelers/no-labeler';
export * from './register';
