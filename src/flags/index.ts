export {
  flagFileShape,
  flipInFile,
  readFlagFile,
  type FileFlag,
  type FlagFileContents,
} from './file.js';
export {
  flagFiles,
  planMatrix,
  withQuery,
  type FlagConfiguration,
  type FlagMatrix,
} from './matrix.js';
export { prepareMatrix, type PreparedFlag, type PreparedMatrix } from './load.js';
