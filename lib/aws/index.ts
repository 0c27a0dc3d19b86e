export * from './app';
export * from './stack';
export * from './bucket';
export * from './access-policy';
export * from './identity';
export * from './binding';
export * from './permissions';
