export * from './tables/summarise';
export * from './tables/markdown-table';
