export * from './class-space';
export * from './sample';
export * from './components';
