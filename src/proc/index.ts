export {
  spawnBlocked,
  aslrOffPrefix,
  type ProcessGroup,
  type SpawnOptions,
  type Exit,
} from './spawn.js';
export {
  register,
  unregister,
  liveGroups,
  killAllNow,
  killRegisteredGroups,
  terminateGroup,
  groupAlive,
  usePidFile,
} from './registry.js';
