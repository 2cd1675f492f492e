export { SamplesWriter } from './writer.js';
export { parseSamples, readSamples } from './reader.js';
export * from './types.js';
