import 'reflect-metadata';

export * from './tokens';
export * from './errors';
export * from './interfaces';
export * from './registry';
export * from './config';
export * from './plugin';
export * from './rng';
export * from './atomic-write';
export * from './results';
