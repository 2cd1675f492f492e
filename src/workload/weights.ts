// Each endpoint's share of the workload, from the requests' weights.

/**
 * Shares summing to 1, sorted by endpoint. Weights are scaled by the largest first, so huge ones
 * (two of 1e308) do not overflow the sum into Infinity and every share into 0.
 */
export function endpointWeights(
  requests: readonly { endpoint: string; weight: number }[],
): Record<string, number> {
  const largest = requests.reduce((m, r) => Math.max(m, r.weight), 0);
  const scaled = requests.map((r) => ({
    endpoint: r.endpoint,
    w: largest > 0 ? r.weight / largest : 0,
  }));
  const total = scaled.reduce((s, r) => s + r.w, 0);
  const out: Record<string, number> = {};
  for (const r of scaled) out[r.endpoint] = (out[r.endpoint] ?? 0) + (total > 0 ? r.w / total : 0);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
