export * from './class-space';
export * from './sample';
export * from './components';
export * from './component-context';
export * from './model';
export * from './training';
export * from './services';
