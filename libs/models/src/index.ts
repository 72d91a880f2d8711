export * from './heads/embedding-scores';
