export * from './load';
export * from './apply';
export * from './edit';
