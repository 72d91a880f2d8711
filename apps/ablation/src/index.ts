export * from './ablation-schema';
export * from './expand-ablation';
