export * from './create.js';
export * from './dtype.js';
export * from './format.js';
export * from './random.js';
export * from './shape.js';
export * from './tensor.js';
