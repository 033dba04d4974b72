export * from './gradcheck.js';
export * from './numerical.js';
