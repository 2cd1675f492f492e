// Splits a workload's endpoints over N shards (one per runner of a workflow matrix), balanced
// by each endpoint's expected cost: its per-request cost in a previous result times its request
// count, else its request count alone. Pure and deterministic: every shard of one matrix computes
// the same assignment from the same inputs, so the shards cover every endpoint exactly once.

import { readFileSync } from 'node:fs';
import { median } from 'simple-statistics';
import { ConfigError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { WorkloadRequest } from './types.js';

/** Code-unit order: locale-independent, so every runner sorts alike. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** Most shards one matrix can have (GitHub's job matrix yields at most 256 jobs). */
export const MAX_SHARDS = 256;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** `2/3` → shard 2 of 3. */
export function parseShard(text: string): Parsed<ShardSpec> {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return { ok: false, message: `expected i/n such as 2/3, got '${text}'` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS)
    return { ok: false, message: `the shard count must be 1 to ${MAX_SHARDS}, got ${count}` };
  if (index < 1 || index > count)
    return { ok: false, message: `the shard index must be 1 to ${count}, got ${index}` };
  return { ok: true, value: { index, count } };
}

/**
 * Per-request cost of each endpoint in a result.json (`perfgate run` or `merge`): the mean of
 * its before and after cost, whichever are known. Endpoints without a cost are left out.
 */
export function costsFromResult(json: unknown): Parsed<Record<string, number>> {
  const endpoints = (json as { endpoints?: unknown } | null)?.endpoints;
  if (!Array.isArray(endpoints))
    return { ok: false, message: "not a perfgate result: no 'endpoints' list" };
  const out: Record<string, number> = {};
  for (const e of endpoints as unknown[]) {
    const { endpoint, before, after } = (e ?? {}) as Record<string, unknown>;
    if (typeof endpoint !== 'string') continue;
    const known = [before, after].filter(
      (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
    );
    if (known.length > 0) out[endpoint] = known.reduce((s, v) => s + v, 0) / known.length;
  }
  return { ok: true, value: out };
}

export interface ShardPlan {
  /** The endpoints of each shard, index 0 = shard 1, each list sorted. */
  shards: string[][];
  /** Expected cost of each shard, in the unit of the balance (or requests). */
  loads: number[];
  /** What balanced it. */
  basis: 'cost' | 'requests';
}

/**
 * Greedy longest-processing-time assignment: endpoints in falling order of expected cost (ties
 * by name), each to the shard with the least load so far (ties to the lowest index). Endpoints
 * a balance does not know cost the median known per-request cost.
 */
export function planShards(
  requests: readonly { endpoint: string }[],
  count: number,
  balance?: Record<string, number>,
): ShardPlan {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.endpoint, (counts.get(r.endpoint) ?? 0) + 1);
  const known = balance
    ? [...counts.keys()].map((e) => balance[e]).filter((c): c is number => c !== undefined)
    : [];
  const basis = known.length > 0 ? 'cost' : 'requests';
  const fallback = basis === 'cost' ? median(known) : 1;
  const cost = (e: string) => counts.get(e)! * (basis === 'cost' ? (balance![e] ?? fallback) : 1);
  const order = [...counts.keys()].sort((a, b) => cost(b) - cost(a) || byName(a, b));
  const shards: string[][] = Array.from({ length: count }, () => []);
  const loads = new Array<number>(count).fill(0);
  for (const endpoint of order) {
    let best = 0;
    for (let i = 1; i < count; i++) if (loads[i]! < loads[best]!) best = i;
    shards[best]!.push(endpoint);
    loads[best]! += cost(endpoint);
  }
  for (const s of shards) s.sort(byName);
  return { shards, loads, basis };
}

/** What `perfgate run --shard` asks for: the shard, and the per-request costs to balance by. */
export interface ShardRequest extends ShardSpec {
  balance?: Record<string, number>;
}

export interface ShardSelection<R extends { endpoint: string } = WorkloadRequest> {
  /** This shard's requests, in workload order. */
  requests: R[];
  /** This shard's endpoints, sorted. */
  endpoints: string[];
  info: { index: number; count: number; of: string[]; basis: 'cost' | 'requests' };
}

/** This shard's part of the workload; an error when it gets no endpoint (more shards than endpoints). */
export function selectShard<R extends { endpoint: string }>(
  workload: { requests: R[]; endpoints: string[] },
  shard: ShardRequest,
  logger: Logger,
): ShardSelection<R> {
  const plan = planShards(workload.requests, shard.count, shard.balance);
  const endpoints = plan.shards[shard.index - 1]!;
  if (endpoints.length === 0) {
    throw new UsageError(
      `shard ${shard.index}/${shard.count} has no endpoint to measure: the workload has ${workload.endpoints.length} endpoint(s)`,
      `use at most ${workload.endpoints.length} shards`,
    );
  }
  const mine = new Set(endpoints);
  const requests = workload.requests.filter((r) => mine.has(r.endpoint));
  const share = plan.loads[shard.index - 1]! / plan.loads.reduce((s, l) => s + l, 0);
  logger.info(
    `shard ${shard.index}/${shard.count}: ${endpoints.length} of ${workload.endpoints.length} endpoints, ` +
      `${requests.length} of ${workload.requests.length} requests (${(share * 100).toFixed(0)} % of the expected ${plan.basis === 'cost' ? 'cost' : 'requests'})`,
  );
  return {
    requests,
    endpoints,
    info: {
      index: shard.index,
      count: shard.count,
      of: [...workload.endpoints],
      basis: plan.basis,
    },
  };
}

/** Per-request costs from a previous result.json, for `--balance`. */
export function readBalance(file: string): Record<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code ? `cannot read the balance result: ${code}` : 'not valid JSON', {
      file,
    });
  }
  const costs = costsFromResult(json);
  if (!costs.ok) throw new ConfigError(costs.message, { file });
  return costs.value;
}
