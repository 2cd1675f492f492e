// The workload's requests as the replay sends them: with the config's injected headers.

import { resolveHeaders, type RunnableConfig } from '../config/index.js';
import type { WorkloadRequest } from '../workload/types.js';
import type { PreparedRequest } from './meter.js';

export function prepareRequests(
  config: RunnableConfig,
  requests: readonly WorkloadRequest[],
  env: NodeJS.ProcessEnv,
): PreparedRequest[] {
  const injected = resolveHeaders(config, env);
  return requests.map((r) => ({
    id: r.id,
    endpoint: r.endpoint,
    method: r.method,
    path: r.path,
    headers: { ...r.headers, ...injected },
    ...(r.body ? { body: r.body } : {}),
  }));
}
