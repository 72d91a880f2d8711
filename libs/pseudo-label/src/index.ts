export * from './selection/unseen-argmax';
export * from './selection/consistency';
export * from './selection/top-p';
export * from './selection/mix-targets';
