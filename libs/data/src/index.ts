export * from './class-space/class-space';
