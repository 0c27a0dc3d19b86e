export * from './common';
export * from './aws';
export * from './gcp';
export * from './azure';
export * from './schema';
export * from './errors';
export * from './load';
export * from './samples';
