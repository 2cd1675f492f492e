export { SamplesWriter } from './writer.js';
export { parseSamples, readSamples } from './reader.js';
export * from './types.js';
export { samplesHeader, type HeaderFacts } from './header.js';
export { OutputError, ensureOutDir, writeOutput } from './files.js';
