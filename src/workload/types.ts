// A workload: the requests perfgate replays, each tagged with the endpoint it is judged under.

export interface WorkloadRequest {
  /** From the record's `id`, else the request's 0-based index in the file. */
  id: number | string;
  /** 1-based line in the workload file. */
  line: number;
  /** Upper-case HTTP method. */
  method: string;
  /** Path and query, always starting with a single '/'; never a scheme or host. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** `GET /users/:id`: from the record, a route template, or automatic id normalisation. */
  endpoint: string;
  /** Relative share of traffic this request stands for (default 1). */
  weight: number;
}

export interface Workload {
  requests: WorkloadRequest[];
  /** Every endpoint name, sorted. */
  endpoints: string[];
}

/** What serializeWorkload writes: a request as importers and recorders produce it. */
export interface WorkloadRecord {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Written only when set: otherwise the endpoint is derived again when the file is read. */
  endpoint?: string;
  weight?: number;
  id?: number | string;
  /** What was known about the request when recorded (status, latency, ...); ignored on replay. */
  meta?: Record<string, unknown>;
}

export interface ParseWorkloadOptions {
  /** Route templates (`/users/:id`, `POST /items/:id`) tried before automatic naming. */
  routes?: readonly string[];
}
