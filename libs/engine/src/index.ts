export * from './schedule/lr-schedule';
