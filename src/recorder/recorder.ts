// The Node recorder: one hook for every node:http server in the process, through the
// diagnostics_channel event Node publishes at each request (`http.server.request.start`), so
// nothing is monkey-patched globally. A measured request's end is its response's 'finish' (or
// 'close', if it never finishes), listened to on that response alone: an unmeasured request
// costs the recorder one subscriber call and a decrement. Frameworks tell it the
// route template (Express and Fastify adapters, or setRoute); flags come from setFlag, a
// callback, or an OpenFeature hook.

import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { compileRoute, endpointFor, normalisePath, type Route } from '../workload/endpoint.js';
import { redactPolicy, type RedactionCounts } from '../workload/redact.js';
import { toRequestTarget } from '../workload/target.js';
import { recordLine, type FlagValue, type RecordMeta } from './capture.js';
import { openCpuMeter, type CpuChoice, type CpuMeter } from './cpu.js';
import { Sampler, type StartDecision } from './sampler.js';
import { RotatingSink, type SinkStats } from './sink.js';

export interface RecorderOptions {
  /** Base path of the recording: `recordings/api.jsonl` → `recordings/api.<time>.<pid>.<n>.jsonl`. */
  path: string;
  /** Share of requests recorded, 0..1 (e.g. 0.01). */
  rate: number;
  /** Records kept per endpoint per period whatever the rate (default 1 a minute, probe 0.1). */
  floor?: { count?: number; periodMs?: number; probe?: number } | false;
  /** Route templates (`/users/:id`, `POST /items/:id`) for servers that do not name them. */
  routes?: readonly string[];
  /** Extra names to redact, as in perfgate.yml's `redact`; `false` keeps credentials. */
  redact?: { headers?: readonly string[]; query?: readonly string[] } | false;
  /** Bodies longer than this are left out of the record (default 64 KiB). */
  maxBodyBytes?: number;
  rotate?: { maxBytes?: number; maxAgeMs?: number };
  /** How long finished requests wait to be made into records and written, in ms (default 1000). */
  batchMs?: number;
  /** Default 'auto': instructions, else thread CPU time, else process CPU time ('task-clock' on request). */
  counter?: CpuChoice;
  /** Commit of the running build (default $PERFGATE_COMMIT, $GIT_COMMIT or $SOURCE_VERSION). */
  commit?: string;
  host?: string;
  /** Flags for one request, read when it finishes (merged under those set with setFlag). */
  flags?: (req: IncomingMessage) => Record<string, FlagValue> | undefined;
  /** Record only this server's requests (default: every node:http server in the process). */
  server?: Server;
  /** Where the one message about a failing sink goes (default console.error). */
  onError?: (message: string) => void;
  /** For tests. */
  now?: () => number;
  random?: () => number;
}

export interface RecorderStats extends SinkStats {
  measured: number;
  recorded: number;
  redacted: RedactionCounts;
  counter: string | null;
  counterReason?: string;
}

interface State {
  decision: StartDecision;
  /** As at the start: a framework may rewrite req.url on the way. */
  method: string | undefined;
  url: string | undefined;
  t0: bigint;
  cpu0: number;
  route?: string;
  flags?: Record<string, FlagValue>;
  chunks?: Buffer[];
  bytes: number;
  omitted: boolean;
}

/** A measured request as it finished: what the record needs, read off the live request. */
interface Finished {
  state: State;
  url: string;
  rawHeaders: readonly string[];
  /** The framework's template (setRoute or Express), if any. */
  route: string | undefined;
  status: number;
  flags: Record<string, FlagValue> | undefined;
  cpu: number;
  latencyMs: number;
  time: number;
  /** A floor probe is judged when it finishes (keep or not, and the floor's counts with it). */
  judged?: Judged;
}

interface Judged {
  method: string;
  path: string;
  named: { name: string; source: RecordMeta['endpointSource'] };
  weight: number;
}

interface StartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class Recorder {
  private readonly sampler: Sampler;
  private readonly sink: RotatingSink;
  private readonly meter: CpuMeter | undefined;
  private readonly routes: Route[];
  private readonly redact;
  private readonly redacted: RedactionCounts = new Map();
  private readonly maxBody: number;
  private readonly commit: string | undefined;
  private readonly host: string;
  private context: AsyncLocalStorage<IncomingMessage | undefined> | undefined;
  /**
   * Measured requests in flight. Not a property on the request: that would give 1 % of
   * IncomingMessage objects a second shape, and node:http's and the app's code that touch every
   * request would see two.
   */
  private readonly states = new WeakMap<IncomingMessage, State>();
  private measured = 0;
  private recorded = 0;
  /** Measured requests started and not finished: while 0, a finish needs no lookup. */
  private inFlight = 0;
  private started = false;
  private readonly onStart = (message: unknown) => this.requestStart(message as StartMessage);
  /**
   * Finished requests whose records are not made yet. They are made in batches, when the batch
   * is written: at 1 % a record's code runs once per ~100 requests and runs cold each time
   * (~140 µs of the serving thread against ~30 µs warm, on node:http here); a batch runs it
   * warm after its first record.
   */
  private finished: Finished[] = [];
  private batchScheduled = false;
  private readonly batchMs: number;
  private readonly onExit = () => {
    this.makeRecords();
    this.sink.flushSync();
  };

  constructor(private readonly options: RecorderOptions) {
    const floor = options.floor === false ? { count: 0 } : (options.floor ?? {});
    this.sampler = new Sampler({
      rate: options.rate,
      floor: {
        count: floor.count ?? 1,
        periodMs: (floor as { periodMs?: number }).periodMs ?? 60_000,
        probe: (floor as { probe?: number }).probe ?? 0.1,
      },
      ...(options.now ? { now: options.now } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.sink = new RotatingSink({
      path: options.path,
      ...options.rotate,
      // The batch interval is this class's: the sink writes each batch as soon as it is made.
      flushMs: 0,
      onError: options.onError ?? ((m) => console.error(m)),
      ...(options.now ? { now: options.now } : {}),
    });
    this.meter = openCpuMeter(options.counter ?? 'auto');
    this.routes = (options.routes ?? []).map((r) => compileRoute(r));
    this.redact =
      options.redact === false
        ? (false as const)
        : redactPolicy({
            headers: options.redact?.headers ?? [],
            params: options.redact?.query ?? [],
          });
    this.maxBody = options.maxBodyBytes ?? 64 * 1024;
    this.batchMs = options.batchMs ?? 1000;
    const env = process.env;
    this.commit = options.commit ?? env.PERFGATE_COMMIT ?? env.GIT_COMMIT ?? env.SOURCE_VERSION;
    this.host = options.host ?? hostname();
  }

  /** Subscribes to node:http's events; returns this. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    subscribe('http.server.request.start', this.onStart);
    process.on('exit', this.onExit);
    return this;
  }

  /** Unsubscribes, writes what is queued and closes the file. */
  async close(): Promise<void> {
    if (this.started) {
      unsubscribe('http.server.request.start', this.onStart);
      process.off('exit', this.onExit);
      this.started = false;
    }
    this.makeRecords();
    await this.sink.close();
    this.meter?.close();
  }

  /** Resolves once every record so far is written. */
  flush(): Promise<void> {
    this.makeRecords();
    return this.sink.flush();
  }

  /** Every request passes here from the adapters: while nothing is measured, no lookup. */
  private stateOf(req: IncomingMessage): State | undefined {
    return this.inFlight === 0 ? undefined : this.states.get(req);
  }

  /** Names the route template of a request (`/users/:id`), as a framework matched it. */
  setRoute(req: IncomingMessage, template: string): void {
    const state = this.stateOf(req);
    if (state && typeof template === 'string' && template !== '') state.route = template;
  }

  /** Attaches a flag state evaluated while serving this request. */
  setFlag(req: IncomingMessage, key: string, value: FlagValue): void {
    const state = this.stateOf(req);
    if (!state) return;
    (state.flags ??= {})[key] = value;
  }

  /** The request being served in the current async context (needs `openFeatureHook()` first). */
  currentRequest(): IncomingMessage | undefined {
    return this.context?.getStore();
  }

  /** Express: `app.use(recorder.express())` first; the template is the matched route's path. */
  express(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      const state = this.stateOf(req);
      if (state) {
        const writeHead = res.writeHead;
        // This response only: the route is still on req while the handler sends.
        res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
          state.route ??= expressRoute(req);
          return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
        } as typeof res.writeHead;
      }
      next();
    };
  }

  /** Fastify: `app.register(recorder.fastify())`; the template is `request.routeOptions.url`. */
  fastify(): FastifyPlugin {
    const plugin = ((instance, _options, done) => {
      instance.addHook('onRequest', (request, _reply, next) => {
        const url = request.routeOptions?.url ?? request.routerPath;
        if (typeof url === 'string') this.setRoute(request.raw, url);
        next();
      });
      done();
    }) as FastifyPlugin;
    // Like fastify-plugin: the hook applies to every route, not only an encapsulated context.
    (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
    return plugin;
  }

  /**
   * An OpenFeature hook: `OpenFeature.addHooks(recorder.openFeatureHook())`. Each flag evaluated
   * while serving a recorded request is stored with it (variant if any, else the value).
   */
  openFeatureHook(): { after: (hookContext: unknown, details: FlagDetails) => void } {
    this.context ??= new AsyncLocalStorage();
    return {
      after: (_hookContext, details) => {
        const req = this.context?.getStore();
        if (!req || !details || typeof details.flagKey !== 'string') return;
        const value = details.variant ?? details.value;
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          this.setFlag(req, details.flagKey, value);
      },
    };
  }

  stats(): RecorderStats {
    return {
      ...this.sink.stats,
      measured: this.measured,
      recorded: this.recorded,
      redacted: this.redacted,
      counter: this.meter?.counter ?? null,
      ...(this.meter?.reason ? { counterReason: this.meter.reason } : {}),
    };
  }

  private requestStart(message: StartMessage): void {
    if (this.options.server && message.server !== this.options.server) return;
    const decision = this.sampler.skip()
      ? 0
      : this.sampler.decide(message.request.method, message.request.url);
    if (decision === 0) {
      if (this.context) this.context.enterWith(undefined);
      return;
    }
    const { request, response } = message;
    this.measured++;
    this.inFlight++;
    const state: State = {
      decision,
      method: request.method,
      url: request.url,
      t0: process.hrtime.bigint(),
      cpu0: 0,
      bytes: 0,
      omitted: false,
    };
    this.states.set(request, state);
    if (this.context) this.context.enterWith(request);
    if (BODY_METHODS.has(request.method ?? '')) this.captureBody(request, state);
    // 'close' follows 'finish' (next tick) or an abort: one listener for both ends.
    response.on('close', () => this.responseClose(request, response));
    if (this.meter) {
      this.meter.begin();
      state.cpu0 = this.meter.read();
    }
  }

  private responseClose(request: IncomingMessage, response: ServerResponse): void {
    const state = this.states.get(request);
    if (!state) return;
    this.inFlight--;
    this.states.delete(request);
    const cpu1 = this.meter ? this.meter.read() : 0;
    this.meter?.end();
    // Aborted before its response finished: no record.
    if (!response.writableFinished) return;
    const t1 = process.hrtime.bigint();
    try {
      const url = request.url ?? '/';
      const route = state.route ?? expressRoute(request);
      // A probe's keep decides whether the probes after it are measured: judged now. A record
      // that won the rate is kept whatever its endpoint, so its judging waits for the batch.
      let judged: Judged | null | undefined;
      if (state.decision === 2) {
        judged = this.judge(state, url, route);
        if (!judged) return;
      }
      const fromCallback = this.options.flags?.(request);
      this.finished.push({
        state,
        url,
        rawHeaders: request.rawHeaders,
        route,
        status: response.statusCode,
        flags: fromCallback ? { ...fromCallback, ...state.flags } : state.flags,
        cpu: cpu1 - state.cpu0,
        latencyMs: Number(t1 - state.t0) / 1e6,
        time: this.options.now?.() ?? Date.now(),
        ...(judged ? { judged } : {}),
      });
    } catch (error) {
      // A bug here (or in the flags callback) must never reach the service: report it once.
      this.options.onError?.(`perfgate recorder: ${String(error)}`);
      return;
    }
    if (!this.batchScheduled) {
      this.batchScheduled = true;
      setTimeout(() => this.makeRecords(), this.batchMs).unref();
    }
  }

  /** Makes the records of the requests finished so far and queues them for writing. */
  private makeRecords(): void {
    this.batchScheduled = false;
    const batch = this.finished;
    if (batch.length === 0) return;
    this.finished = [];
    for (const f of batch) {
      try {
        this.finishRecord(f);
      } catch (error) {
        this.options.onError?.(`perfgate recorder: ${String(error)}`);
      }
    }
  }

  // The parser hands body bytes to push(); wrapping this one request's push sees them without
  // adding a 'data' listener (which would switch the stream to flowing mode under the app).
  private captureBody(request: IncomingMessage, state: State): void {
    const push = request.push;
    const max = this.maxBody;
    state.chunks = [];
    request.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
      if (Buffer.isBuffer(chunk)) {
        state.bytes += chunk.length;
        if (!state.omitted) {
          if (state.bytes > max) {
            state.omitted = true;
            state.chunks = [];
          } else state.chunks!.push(chunk);
        }
      }
      return push.call(this, chunk, encoding);
    };
  }

  /** The endpoint of a finished request and the sampler's verdict; null: no record. */
  private judge(state: State, url: string, route: string | undefined): Judged | null {
    const method = (state.method ?? 'GET').toUpperCase();
    if (method === 'CONNECT') return null;
    const target = toRequestTarget(url);
    if (!target.ok) return null;
    const named = this.endpoint(route, method, target.path);
    const { keep, weight } = this.sampler.finish(
      named.name,
      state.decision,
      state.method,
      state.url,
    );
    return keep ? { method, path: target.path, named, weight } : null;
  }

  private finishRecord(f: Finished): void {
    const { state } = f;
    const judged = f.judged ?? this.judge(state, f.url, f.route);
    if (!judged) return;
    const { method, named, weight } = judged;
    const { flags } = f;
    const meta: RecordMeta = {
      endpoint: named.name,
      endpointSource: named.source,
      status: f.status,
      latencyMs: f.latencyMs,
      requestBytes: state.bytes,
      ...(state.omitted ? { bodyOmitted: true as const } : {}),
      cpu: this.meter ? { counter: this.meter.counter, unit: this.meter.unit, value: f.cpu } : null,
      ...(this.commit ? { commit: this.commit } : {}),
      host: this.host,
      pid: process.pid,
      time: new Date(f.time).toISOString(),
      ...(flags && Object.keys(flags).length ? { flags } : {}),
      sampled: state.decision === 2 ? 'floor' : 'rate',
    };
    const line = recordLine(
      {
        method,
        path: judged.path,
        rawHeaders: f.rawHeaders,
        ...(state.chunks && !state.omitted ? { body: Buffer.concat(state.chunks) } : {}),
        ...(named.source !== 'auto' ? { endpoint: named.name } : {}),
        weight,
        meta,
      },
      this.redact,
      this.redacted,
    );
    if (this.sink.write(line)) this.recorded++;
  }

  private endpoint(
    route: string | undefined,
    method: string,
    path: string,
  ): { name: string; source: RecordMeta['endpointSource'] } {
    if (route !== undefined) {
      return { name: `${method} ${normalisePath(route.split('?')[0]!)}`, source: 'route' };
    }
    const found = endpointFor(method, path, this.routes);
    return { name: found.name, source: found.source === 'route' ? 'routes' : 'auto' };
  }
}

/** Express's matched route, joined to the routers' mount paths; undefined outside a route. */
function expressRoute(req: IncomingMessage): string | undefined {
  const r = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown };
  if (!r.route || typeof r.route.path !== 'string') return undefined;
  const base = typeof r.baseUrl === 'string' ? r.baseUrl : '';
  return `${base}${r.route.path}` || '/';
}

export interface FlagDetails {
  flagKey: string;
  value?: unknown;
  variant?: string;
}

interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: string };
  routerPath?: string;
}
type FastifyPlugin = (
  instance: {
    addHook(
      name: 'onRequest',
      hook: (request: FastifyRequestLike, reply: unknown, next: () => void) => void,
    ): unknown;
  },
  options: unknown,
  done: () => void,
) => void;

/** Creates a recorder and starts it. */
export function createRecorder(options: RecorderOptions): Recorder {
  return new Recorder(options).start();
}
