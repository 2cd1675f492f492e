import { createRequire as __perfgateRequire } from 'node:module';
const require = __perfgateRequire(import.meta.url);

// src/recorder/recorder.ts
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { hostname } from "node:os";

// src/workload/target.ts
var SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
function toRequestTarget(url) {
  if (url === "") return { ok: false, message: "must not be empty" };
  if (url === "*") return { ok: false, message: "'*' (server-wide OPTIONS) cannot be replayed" };
  if (SCHEME.test(url) || url.startsWith("//")) {
    let parsed;
    try {
      parsed = new URL(url.startsWith("//") ? `http:${url}` : url);
    } catch {
      return { ok: false, message: `not a valid URL: '${url}'` };
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      return {
        ok: false,
        message: `only http and https URLs can be replayed, got '${parsed.protocol}'`
      };
    }
    return { ok: true, path: collapseLeading(parsed.pathname) + parsed.search };
  }
  if (!url.startsWith("/")) {
    return {
      ok: false,
      message: `expected a path starting with '/' or an http(s) URL, got '${url}'`
    };
  }
  const hash = url.indexOf("#");
  return { ok: true, path: encodeUnsafe(hash < 0 ? url : url.slice(0, hash)) };
}
function collapseLeading(pathname) {
  return pathname.replace(/^\/{2,}/, "/");
}
function encodeUnsafe(target) {
  return Buffer.from(target, "utf8").reduce((out, byte) => {
    const safe = byte > 32 && byte < 127 && byte !== 34;
    return out + (safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`);
  }, "");
}
function splitTarget(target) {
  const q = target.indexOf("?");
  return q < 0 ? { pathname: target, query: void 0 } : { pathname: target.slice(0, q), query: target.slice(q + 1) };
}

// src/workload/endpoint.ts
function normalisePath(pathname) {
  const collapsed = pathname.replace(/\/{2,}/g, "/").replace(/\/$/, "");
  return collapsed === "" ? "/" : collapsed;
}
var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
var HEX = /^(?:[0-9a-f]+|[0-9A-F]+)$/;
var TOKEN = /^[A-Za-z0-9_-]+$/;
var WITH_EXTENSION = /^(.+)\.([A-Za-z][A-Za-z0-9]{0,4})$/;
function isIdSegment(segment) {
  if (/^\d+$/.test(segment)) return true;
  if (UUID.test(segment)) return true;
  if (HEX.test(segment) && (segment.length >= 16 || segment.length >= 7 && /\d/.test(segment))) {
    return true;
  }
  return segment.length >= 10 && TOKEN.test(segment) && letterDigitSwitches(segment) >= 3;
}
function letterDigitSwitches(segment) {
  let switches = 0;
  let last;
  for (const ch of segment) {
    const kind = /\d/.test(ch) ? "digit" : /[A-Za-z]/.test(ch) ? "letter" : void 0;
    if (kind === void 0) continue;
    if (last !== void 0 && kind !== last) switches++;
    last = kind;
  }
  return switches;
}
function autoEndpointPath(pathname) {
  const path2 = normalisePath(pathname);
  if (path2 === "/") return path2;
  return path2.split("/").map((segment) => {
    if (segment === "") return segment;
    if (isIdSegment(segment)) return ":id";
    const file = WITH_EXTENSION.exec(segment);
    return file && isIdSegment(file[1]) ? `:id.${file[2]}` : segment;
  }).join("/");
}
function compileRoute(template) {
  const m = /^(?:([A-Za-z]+) +)?(\/\S*)$/.exec(template.trim());
  if (!m)
    throw new Error(
      `not a route template: '${template}' (expected '/users/:id' or 'POST /items/:id')`
    );
  const path2 = normalisePath(splitTarget(m[2]).pathname);
  return { template, method: m[1]?.toUpperCase(), path: path2, segments: path2.split("/") };
}
function matchesRoute(route, method, pathname) {
  if (route.method !== void 0 && route.method !== method) return false;
  const segments = normalisePath(pathname).split("/");
  if (segments.length !== route.segments.length) return false;
  return route.segments.every((want, i) => {
    const got = segments[i];
    return want.startsWith(":") && want.length > 1 ? got !== "" : want === got;
  });
}
function endpointFor(method, target, routes = []) {
  const { pathname } = splitTarget(target);
  const upper = method.toUpperCase();
  const route = routes.find((r) => matchesRoute(r, upper, pathname));
  if (route) return { name: `${upper} ${route.path}`, source: "route" };
  return { name: `${upper} ${autoEndpointPath(pathname)}`, source: "auto" };
}

// src/workload/headers.ts
var TOKEN2 = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
var CONNECTION_HEADERS = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length"
];
var DROPPED_ON_IMPORT = [...CONNECTION_HEADERS, "host"];
var CREDENTIAL_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie"
];
var CREDENTIAL_PARAMS = [
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "auth",
  "auth_token",
  "api_key",
  "apikey",
  "api-key",
  "password",
  "passwd",
  "pwd",
  "secret",
  "client_secret",
  "session",
  "sessionid",
  "session_id",
  "jwt",
  "sig",
  "signature",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token"
];
var REDACTED = "REDACTED";

// src/workload/redact.ts
function redactPolicy(extra = {}) {
  const lower = (names) => names.map((n) => n.toLowerCase());
  return {
    headers: /* @__PURE__ */ new Set([...CREDENTIAL_HEADERS, ...lower(extra.headers ?? [])]),
    params: /* @__PURE__ */ new Set([...CREDENTIAL_PARAMS, ...lower(extra.params ?? [])])
  };
}
function count(counts, key) {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
var URL_HEADERS = /* @__PURE__ */ new Set(["referer", "origin", "location"]);
function redactRecord(record, policy, counts, bodyType) {
  const kept = {};
  for (const [name, value] of Object.entries(record.headers)) {
    const lower = name.toLowerCase();
    if (policy.headers.has(lower)) count(counts, `header ${lower}`);
    else kept[name] = URL_HEADERS.has(lower) ? redactUrl(value, policy, counts, lower) : value;
  }
  record.headers = kept;
  const { pathname, query } = splitTarget(record.path);
  if (query !== void 0) {
    const redacted = redactForm(query, policy, counts, "query");
    if (redacted !== query) record.path = `${pathname}?${redacted}`;
  }
  if (record.body !== void 0 && record.body.length > 0) {
    const type = (contentType(record.headers) || bodyType || sniff(record.body)).toLowerCase();
    if (type.includes("application/x-www-form-urlencoded")) {
      const text = record.body.toString("utf8");
      const redacted = redactForm(text, policy, counts, "body");
      if (redacted !== text) record.body = Buffer.from(redacted, "utf8");
    } else if (type.includes("json")) {
      const redacted = redactJson(record.body.toString("utf8"), policy, counts);
      if (redacted !== void 0) record.body = Buffer.from(redacted, "utf8");
    }
  }
}
function sniff(body) {
  const first = body.toString("utf8", 0, 64).trimStart()[0];
  return first === "{" || first === "[" ? "application/json" : "";
}
function redactUrl(url, policy, counts, kind) {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const hash = url.indexOf("#", q);
  const end = hash < 0 ? url.length : hash;
  const query = url.slice(q + 1, end);
  const redacted = redactForm(query, policy, counts, `${kind} query`);
  return redacted === query ? url : `${url.slice(0, q + 1)}${redacted}${url.slice(end)}`;
}
function contentType(headers) {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type");
  return entry ? entry[1].toLowerCase() : "";
}
function redactForm(form, policy, counts, kind) {
  return form.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0) return pair;
    const name = safeDecode(pair.slice(0, eq)).toLowerCase();
    if (!policy.params.has(name) || pair.slice(eq + 1) === REDACTED) return pair;
    count(counts, `${kind} ${name}`);
    return `${pair.slice(0, eq)}=${REDACTED}`;
  }).join("&");
}
function safeDecode(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
function redactJson(text, policy, counts) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return void 0;
  }
  let changed = false;
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      const obj = node;
      for (const [key, v] of Object.entries(obj)) {
        if (policy.params.has(key.toLowerCase())) {
          const redacted = redactLeaves(v);
          if (JSON.stringify(redacted) !== JSON.stringify(v)) {
            obj[key] = redacted;
            count(counts, `body ${key.toLowerCase()}`);
            changed = true;
          }
        } else walk(v);
      }
    }
  };
  walk(value);
  return changed ? JSON.stringify(value) : void 0;
}
function redactLeaves(value) {
  if (typeof value === "string" || typeof value === "number") return REDACTED;
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
  }
  return value;
}

// src/workload/serialize.ts
function serializeRecord(request) {
  const out = {};
  if (request.id !== void 0) out.id = request.id;
  out.method = request.method;
  out.url = request.path;
  out.headers = request.headers;
  if (request.body !== void 0 && request.body.length > 0) out.body = encodeBody(request.body);
  if (request.endpoint !== void 0) out.endpoint = request.endpoint;
  if (request.weight !== void 0 && request.weight !== 1) out.weight = request.weight;
  if (request.meta !== void 0) out.meta = request.meta;
  return JSON.stringify(out);
}
function encodeBody(body) {
  const text = body.toString("utf8");
  return Buffer.from(text, "utf8").equals(body) ? text : { base64: body.toString("base64") };
}

// src/recorder/capture.ts
function recordLine(c, redact, counts) {
  const record = {
    method: c.method,
    path: c.path,
    headers: cleanHeaders(c.rawHeaders),
    ...c.body !== void 0 && c.body.length > 0 ? { body: c.body } : {},
    ...c.endpoint !== void 0 ? { endpoint: c.endpoint } : {},
    weight: round(c.weight)
  };
  if (redact) redactRecord(record, redact, counts);
  const line = serializeRecord(record);
  return `${line.slice(0, -1)},"meta":${JSON.stringify(c.meta)}}`;
}
function cleanHeaders(raw) {
  const out = {};
  const names = /* @__PURE__ */ new Map();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const lower = name.toLowerCase();
    if (DROPPED_ON_IMPORT.includes(lower) || !TOKEN2.test(name) || /[\r\n\0]/.test(value)) continue;
    const existing = names.get(lower);
    if (existing === void 0) {
      names.set(lower, name);
      out[name] = value;
    } else out[existing] = `${out[existing]}${lower === "cookie" ? "; " : ", "}${value}`;
  }
  return out;
}
function round(weight) {
  return Math.max(1, Math.round(weight * 1e3) / 1e3);
}

// src/recorder/cpu.ts
import { openSync, readSync } from "node:fs";

// src/counters/binding.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
var PLATFORM_TAG = `${process.platform}-${process.arch}`;
var FILE = "perfgate.node";
function addonPath(moduleFile, env = process.env) {
  if (env.PERFGATE_NATIVE) return env.PERFGATE_NATIVE;
  const dir = dirname(moduleFile);
  return moduleFile.endsWith(".ts") ? join(dir, "..", "..", "native", "build", "Release", FILE) : join(dir, "native", PLATFORM_TAG, FILE);
}
var VERBS = [
  "events",
  "open",
  "read",
  "readInto",
  "enable",
  "disable",
  "close",
  "probe",
  "setAffinity",
  "getAffinity"
];
function missingVerbs(addon) {
  const o = addon;
  return VERBS.filter((v) => typeof o?.[v] !== "function");
}
var cached;
function loadBinding() {
  if (cached) return cached;
  cached = bind();
  return cached;
}
function bind() {
  if (process.platform !== "linux") {
    return {
      bound: false,
      reason: `perfgate counts CPU work with Linux perf_event_open; this is ${PLATFORM_TAG}`
    };
  }
  const path2 = addonPath(fileURLToPath(import.meta.url));
  if (!existsSync(path2)) {
    return {
      bound: false,
      reason: `no perfgate native addon for ${PLATFORM_TAG} at ${path2} (prebuilt: linux-x64, linux-arm64; from source: npm run build:native)`,
      path: path2
    };
  }
  try {
    const addon = createRequire(import.meta.url)(path2);
    const missing = missingVerbs(addon);
    return missing.length === 0 ? { bound: true, native: addon, path: path2 } : {
      bound: false,
      reason: `${path2} is out of date (it lacks ${missing.join(", ")}): rebuild it with 'npm run build:native'`,
      path: path2
    };
  } catch (error) {
    return {
      bound: false,
      reason: `could not load ${path2}: ${error instanceof Error ? error.message : String(error)}`,
      path: path2
    };
  }
}

// src/recorder/cpu.ts
function openCpuMeter(choice) {
  if (choice === "none") return void 0;
  const reasons = [];
  if (choice === "auto" || choice === "instructions") {
    const meter = addonMeter("instructions", reasons);
    if (meter) return withReason(meter, reasons);
  }
  if (choice === "task-clock") {
    const meter = addonMeter("task-clock", reasons);
    if (meter) return withReason(meter, reasons);
  }
  if (choice === "auto" || choice === "thread-cpu") {
    const meter = clockMeter(reasons) ?? schedstatMeter(reasons);
    if (meter) return withReason(meter, reasons);
    const thread = process.threadCpuUsage;
    if (typeof thread === "function") {
      return withReason(
        usageMeter("thread-cpu", () => thread.call(process)),
        reasons
      );
    }
    reasons.push("process.threadCpuUsage needs Node \u2265 22.19");
  }
  if (choice === "auto" || choice === "process-cpu") {
    return withReason(
      usageMeter("process-cpu", () => process.cpuUsage()),
      reasons
    );
  }
  throw new Error(`perfgate recorder: cannot count ${choice}: ${reasons.join("; ")}`);
}
function withReason(meter, reasons) {
  if (reasons.length) meter.reason = reasons.join("; ");
  return meter;
}
function addonMeter(counter, reasons) {
  const binding = loadBinding();
  if (!binding.bound) {
    if (!reasons.includes(binding.reason)) reasons.push(binding.reason);
    return void 0;
  }
  const native = binding.native;
  let handle;
  try {
    handle = native.open(0, [counter], { excludeKernel: counter === "instructions" });
  } catch (error) {
    reasons.push(`${counter}: ${error instanceof Error ? error.message : String(error)}`);
    return void 0;
  }
  const out = new Float64Array(3);
  let active = 0;
  return {
    counter,
    unit: counter === "instructions" ? "count" : "ns",
    read() {
      native.readInto(handle, out, 0);
      return out[2];
    },
    // Enabled only while a measured request is in flight: an enabled event costs the kernel
    // work at every context switch of the thread, measured or not. The count only grows while
    // enabled, and every measured request lies inside an enabled stretch. (Checked: a 100 µs
    // spin reads 100.8 µs toggled and 100.7 µs left enabled, over 2000 tries.)
    begin() {
      if (active++ === 0) native.enable(handle);
    },
    end() {
      if (active > 0 && --active === 0) native.disable(handle);
    },
    close() {
      try {
        native.close(handle);
      } catch {
      }
    }
  };
}
function usageMeter(counter, usage) {
  return {
    counter,
    unit: "ns",
    read() {
      const u = usage();
      return (u.user + u.system) * 1e3;
    },
    begin() {
    },
    end() {
    },
    close() {
    }
  };
}
function clockMeter(reasons) {
  const binding = loadBinding();
  if (!binding.bound) {
    if (!reasons.includes(binding.reason)) reasons.push(binding.reason);
    return void 0;
  }
  const clock = binding.native.threadCpuNs?.bind(binding.native);
  if (!clock) return void 0;
  try {
    clock();
  } catch (error) {
    reasons.push(`thread-cpu: ${error instanceof Error ? error.message : String(error)}`);
    return void 0;
  }
  return { counter: "thread-cpu", unit: "ns", read: clock, begin() {
  }, end() {
  }, close() {
  } };
}
function schedstatMeter(reasons) {
  let fd;
  try {
    fd = openSync("/proc/thread-self/schedstat", "r");
  } catch (error) {
    reasons.push(
      `/proc/thread-self/schedstat: ${error.code ?? String(error)}`
    );
    return void 0;
  }
  const buf = Buffer.alloc(96);
  const read = () => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    const space = buf.indexOf(32);
    return Number(buf.toString("latin1", 0, space > 0 && space < n ? space : n));
  };
  if (!Number.isFinite(read())) {
    reasons.push("/proc/thread-self/schedstat: unreadable");
    return void 0;
  }
  return { counter: "thread-cpu", unit: "ns", read, begin() {
  }, end() {
  }, close() {
  } };
}

// src/recorder/sampler.ts
var SKIP_CAP = 64;
var Sampler = class {
  constructor(options) {
    this.options = options;
    checkFraction("rate", options.rate);
    checkFraction("floor.probe", options.floor.probe);
    if (!(options.floor.count >= 0) || !(options.floor.periodMs > 0)) {
      throw new RangeError("floor: count must be \u2265 0 and periodMs > 0");
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxEndpoints = options.maxEndpoints ?? 1e3;
    this.maxPaths = options.maxPaths ?? 1e4;
    this.probeP = options.rate + options.floor.probe * (1 - options.rate);
    this.probeWeight = 1 / this.probeP;
    this.logRate = Math.log(1 - options.rate);
    this.logProbe = Math.log(1 - this.probeP);
    this.periodStart = this.now();
    this.draw(options.floor.count > 0);
  }
  options;
  now;
  random;
  maxEndpoints;
  periodStart;
  /**
   * Per endpoint seen so far: records kept this period, and requests seen since its last record
   * (measured ones only), the next record's weight. One object, updated in place: a probe on a
   * known path costs two map lookups and no allocation.
   */
  endpoints = /* @__PURE__ */ new Map();
  owed = 0;
  /** Probing also looks for endpoints not seen yet: in the first period, and in any period
   * after one that found a new endpoint. Later newcomers are found by the rate alone. */
  discovering = true;
  found = false;
  /** Method → path (no query) → the endpoint a measured request on it was judged under. */
  paths = /* @__PURE__ */ new Map();
  pathCount = 0;
  maxPaths;
  /** The chance that a request is measured while the floor probes, and what one stands for. */
  probeP;
  probeWeight;
  /** log(1 - p) of both chances, for drawing gaps. */
  logRate;
  logProbe;
  /** Requests left in the current gap, this one included; 0 draws one at the next request. */
  countdown = 0;
  /** Whether the gap ends in a measured request (false: it was capped, and ends in a redraw). */
  pending = false;
  /** Whether the gap was drawn with the probing chance. */
  drawnProbing = false;
  /**
   * At request start: whether to take counter readings for it. `method` and `url` (query and
   * all) are looked at only for a probe.
   *
   * Requests between two measured ones are skipped by counting down a geometric gap rather than
   * by a draw each: the same Bernoulli choices, and the unsampled path is one decrement. The gap
   * is drawn with the chance in force (rate, or probeP while probing) and capped at SKIP_CAP, so
   * the period clock and the floor's state are looked at every SKIP_CAP requests at least.
   */
  start(method, url) {
    return this.skip() ? 0 : this.decide(method, url);
  }
  /** The unsampled path on its own: true while inside a gap (the request is not measured). */
  skip() {
    return --this.countdown > 0;
  }
  /** At the end of a gap (skip() was false): a measured request, or a fresh draw. */
  decide(method, url) {
    const hit = this.pending;
    const drawnProbing = this.drawnProbing;
    const { rate, floor } = this.options;
    const probing = floor.count > 0 && this.probing();
    this.draw(probing);
    if (!hit) return 0;
    const p = drawnProbing ? this.probeP : rate;
    const r = this.random() * p;
    if (r < rate) return probing ? 3 : 1;
    if (!probing || r >= this.probeP) return 0;
    if (method === void 0 || url === void 0) return 2;
    const entry = this.pathEntry(method, url);
    if (entry === void 0 || entry.kept < floor.count) return 2;
    entry.since += this.probeWeight;
    return 0;
  }
  /** The next gap: requests until the next measured one (geometric), at most SKIP_CAP. */
  draw(probing) {
    const p = probing ? this.probeP : this.options.rate;
    this.drawnProbing = probing;
    let gap;
    if (p >= 1) gap = 1;
    else if (p <= 0) gap = Infinity;
    else
      gap = Math.floor(Math.log(1 - this.random()) / (probing ? this.logProbe : this.logRate)) + 1;
    this.pending = gap <= SKIP_CAP;
    this.countdown = this.pending ? gap : SKIP_CAP;
  }
  /**
   * At finish, for a measured request: whether to keep it, and how many requests of its
   * endpoint it stands for (measured since the previous record, scaled by the measuring rate).
   */
  finish(endpoint, decision, method, url) {
    this.roll();
    const floor = this.options.floor.count;
    let entry = this.endpoints.get(endpoint);
    if (entry === void 0 && this.endpoints.size < this.maxEndpoints) {
      entry = { kept: 0, since: 0 };
      this.endpoints.set(endpoint, entry);
      if (floor > 0) this.owed++;
      this.found = true;
    }
    if (entry === void 0) {
      return decision === 2 ? { keep: false, weight: 0 } : { keep: true, weight: 1 / this.options.rate };
    }
    if (method !== void 0 && url !== void 0) this.learn(method, url, entry);
    const seen = entry.since + (decision === 1 ? 1 / this.options.rate : this.probeWeight);
    const keep = decision !== 2 || entry.kept < floor;
    if (!keep) {
      entry.since = seen;
      return { keep, weight: 0 };
    }
    entry.since = 0;
    entry.kept++;
    if (entry.kept === floor) this.owed--;
    return { keep, weight: seen };
  }
  /** Whether the floor probes now: some endpoint is below its floor, or new ones are sought. */
  probing() {
    this.roll();
    return this.owed > 0 || this.discovering;
  }
  pathEntry(method, url) {
    return this.paths.get(method)?.get(pathOf(url));
  }
  learn(method, url, entry) {
    const path2 = pathOf(url);
    let byPath = this.paths.get(method);
    if (byPath?.get(path2) === entry) return;
    if (this.pathCount >= this.maxPaths) {
      this.paths.clear();
      this.pathCount = 0;
      byPath = void 0;
    }
    if (!byPath) this.paths.set(method, byPath = /* @__PURE__ */ new Map());
    if (!byPath.has(path2)) this.pathCount++;
    byPath.set(path2, entry);
  }
  roll() {
    const t = this.now();
    if (t - this.periodStart < this.options.floor.periodMs) return;
    this.periodStart = t;
    this.discovering = this.found;
    this.found = false;
    for (const entry of this.endpoints.values()) entry.kept = 0;
    this.owed = this.options.floor.count > 0 ? this.endpoints.size : 0;
  }
};
function pathOf(url) {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}
function checkFraction(name, value) {
  if (!(value >= 0 && value <= 1))
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}

// src/recorder/sink.ts
import { close, closeSync, mkdirSync, open, openSync as openSync2, write, writeSync } from "node:fs";
import path from "node:path";
var RotatingSink = class {
  constructor(options) {
    this.options = options;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1e3;
    this.maxQueueBytes = options.maxQueueBytes ?? 8 * 1024 * 1024;
    this.retryMs = options.retryMs ?? 3e4;
    this.flushMs = options.flushMs ?? 1e3;
    this.now = options.now ?? Date.now;
  }
  options;
  queue = [];
  queued = 0;
  fd;
  file;
  size = 0;
  openedAt = 0;
  seq = 0;
  writing;
  scheduled = false;
  failedAt;
  reported = false;
  closed = false;
  stats = { written: 0, dropped: 0, files: [], failed: false };
  maxBytes;
  maxAgeMs;
  maxQueueBytes;
  retryMs;
  flushMs;
  now;
  /** Queues one JSON line (without its newline). Returns false when it was dropped. */
  write(line) {
    if (this.closed || this.failedAt !== void 0 && this.now() - this.failedAt < this.retryMs) {
      this.stats.dropped++;
      return false;
    }
    if (this.queued + line.length > this.maxQueueBytes) {
      this.stats.dropped++;
      return false;
    }
    this.queue.push(`${line}
`);
    this.queued += line.length + 1;
    if (this.queued >= 256 * 1024) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => void this.flush(), this.flushMs).unref();
    }
    return true;
  }
  /** Writes everything queued; resolves when it is on disk (or dropped after a failure). */
  async flush() {
    this.scheduled = false;
    while (this.writing) await this.writing;
    if (this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = void 0;
    });
    await this.writing;
  }
  async drain() {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.queued = 0;
      const data = Buffer.from(batch.join(""));
      try {
        await this.ensureFile(data.length);
        await writeAll(this.fd, data);
        this.size += data.length;
        this.stats.written += batch.length;
      } catch (error) {
        this.fail(error, batch.length);
        return;
      }
    }
  }
  async ensureFile(incoming) {
    const stale = this.fd !== void 0 && (this.size > 0 && this.size + incoming > this.maxBytes || this.now() - this.openedAt >= this.maxAgeMs);
    if (stale) await this.closeFile();
    if (this.fd !== void 0) return;
    const file = this.nextName();
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = await new Promise(
      (resolve, reject) => open(file, "a", (error, fd) => error ? reject(error) : resolve(fd))
    );
    this.file = file;
    this.size = 0;
    this.openedAt = this.now();
    this.stats.files.push(file);
    this.failedAt = void 0;
    this.stats.failed = false;
  }
  nextName() {
    const parsed = path.parse(path.resolve(this.options.path));
    const stamp = new Date(this.now()).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    this.seq++;
    return path.join(
      parsed.dir,
      `${parsed.name}.${stamp}.${process.pid}.${this.seq}${parsed.ext || ".jsonl"}`
    );
  }
  async closeFile() {
    const fd = this.fd;
    this.fd = void 0;
    this.file = void 0;
    if (fd !== void 0) await new Promise((resolve) => close(fd, () => resolve()));
  }
  fail(error, lost) {
    this.stats.dropped += lost + this.queue.length;
    this.queue = [];
    this.queued = 0;
    this.failedAt = this.now();
    this.stats.failed = true;
    void this.closeFile();
    if (this.reported) return;
    this.reported = true;
    const message = error instanceof Error ? error.message : String(error);
    try {
      this.options.onError?.(
        `perfgate recorder: cannot write ${this.file ?? this.options.path}: ${message}; dropping records (retrying every ${Math.round(this.retryMs / 1e3)} s, reported once)`
      );
    } catch {
    }
  }
  /** At process exit, where nothing asynchronous runs: write what is queued synchronously. */
  flushSync() {
    if (this.queue.length === 0 || this.writing) return;
    const text = this.queue.join("");
    const count2 = this.queue.length;
    this.queue = [];
    this.queued = 0;
    try {
      if (this.fd !== void 0) writeSync(this.fd, text);
      else {
        const file = this.nextName();
        mkdirSync(path.dirname(file), { recursive: true });
        const fd = openSync2(file, "a");
        writeSync(fd, text);
        closeSync(fd);
        this.stats.files.push(file);
      }
      this.stats.written += count2;
    } catch {
      this.stats.dropped += count2;
    }
  }
  async close() {
    await this.flush();
    this.closed = true;
    await this.closeFile();
  }
  get currentFile() {
    return this.file;
  }
};
function writeAll(fd, data) {
  return new Promise((resolve, reject) => {
    const step = (offset) => write(fd, data, offset, data.length - offset, null, (error, written) => {
      if (error) reject(error);
      else if (offset + written < data.length) step(offset + written);
      else resolve();
    });
    step(0);
  });
}

// src/recorder/recorder.ts
var BODY_METHODS = /* @__PURE__ */ new Set(["POST", "PUT", "PATCH", "DELETE"]);
var Recorder = class {
  constructor(options) {
    this.options = options;
    const floor = options.floor === false ? { count: 0 } : options.floor ?? {};
    this.sampler = new Sampler({
      rate: options.rate,
      floor: {
        count: floor.count ?? 1,
        periodMs: floor.periodMs ?? 6e4,
        probe: floor.probe ?? 0.1
      },
      ...options.now ? { now: options.now } : {},
      ...options.random ? { random: options.random } : {}
    });
    this.sink = new RotatingSink({
      path: options.path,
      ...options.rotate,
      // The batch interval is this class's: the sink writes each batch as soon as it is made.
      flushMs: 0,
      onError: options.onError ?? ((m) => console.error(m)),
      ...options.now ? { now: options.now } : {}
    });
    this.meter = openCpuMeter(options.counter ?? "auto");
    this.routes = (options.routes ?? []).map((r) => compileRoute(r));
    this.redact = options.redact === false ? false : redactPolicy({
      headers: options.redact?.headers ?? [],
      params: options.redact?.query ?? []
    });
    this.maxBody = options.maxBodyBytes ?? 64 * 1024;
    this.batchMs = options.batchMs ?? 1e3;
    const env = process.env;
    this.commit = options.commit ?? env.PERFGATE_COMMIT ?? env.GIT_COMMIT ?? env.SOURCE_VERSION;
    this.host = options.host ?? hostname();
  }
  options;
  sampler;
  sink;
  meter;
  routes;
  redact;
  redacted = /* @__PURE__ */ new Map();
  maxBody;
  commit;
  host;
  context;
  /**
   * Measured requests in flight. Not a property on the request: that would give 1 % of
   * IncomingMessage objects a second shape, and node:http's and the app's code that touch every
   * request would see two.
   */
  states = /* @__PURE__ */ new WeakMap();
  measured = 0;
  recorded = 0;
  /** Measured requests started and not finished: while 0, a finish needs no lookup. */
  inFlight = 0;
  started = false;
  onStart = (message) => this.requestStart(message);
  /**
   * Finished requests whose records are not made yet. They are made in batches, when the batch
   * is written: at 1 % a record's code runs once per ~100 requests and runs cold each time
   * (~140 µs of the serving thread against ~30 µs warm, on node:http here); a batch runs it
   * warm after its first record.
   */
  finished = [];
  batchScheduled = false;
  batchMs;
  onExit = () => {
    this.makeRecords();
    this.sink.flushSync();
  };
  /** Subscribes to node:http's events; returns this. */
  start() {
    if (this.started) return this;
    this.started = true;
    subscribe("http.server.request.start", this.onStart);
    process.on("exit", this.onExit);
    return this;
  }
  /** Unsubscribes, writes what is queued and closes the file. */
  async close() {
    if (this.started) {
      unsubscribe("http.server.request.start", this.onStart);
      process.off("exit", this.onExit);
      this.started = false;
    }
    this.makeRecords();
    await this.sink.close();
    this.meter?.close();
  }
  /** Resolves once every record so far is written. */
  flush() {
    this.makeRecords();
    return this.sink.flush();
  }
  /** Every request passes here from the adapters: while nothing is measured, no lookup. */
  stateOf(req) {
    return this.inFlight === 0 ? void 0 : this.states.get(req);
  }
  /** Names the route template of a request (`/users/:id`), as a framework matched it. */
  setRoute(req, template) {
    const state = this.stateOf(req);
    if (state && typeof template === "string" && template !== "") state.route = template;
  }
  /** Attaches a flag state evaluated while serving this request. */
  setFlag(req, key, value) {
    const state = this.stateOf(req);
    if (!state) return;
    (state.flags ??= {})[key] = value;
  }
  /** The request being served in the current async context (needs `openFeatureHook()` first). */
  currentRequest() {
    return this.context?.getStore();
  }
  /** Express: `app.use(recorder.express())` first; the template is the matched route's path. */
  express() {
    return (req, res, next) => {
      const state = this.stateOf(req);
      if (state) {
        const writeHead = res.writeHead;
        res.writeHead = function(...args) {
          state.route ??= expressRoute(req);
          return writeHead.apply(this, args);
        };
      }
      next();
    };
  }
  /** Fastify: `app.register(recorder.fastify())`; the template is `request.routeOptions.url`. */
  fastify() {
    const plugin = ((instance, _options, done) => {
      instance.addHook("onRequest", (request, _reply, next) => {
        const url = request.routeOptions?.url ?? request.routerPath;
        if (typeof url === "string") this.setRoute(request.raw, url);
        next();
      });
      done();
    });
    plugin[/* @__PURE__ */ Symbol.for("skip-override")] = true;
    return plugin;
  }
  /**
   * An OpenFeature hook: `OpenFeature.addHooks(recorder.openFeatureHook())`. Each flag evaluated
   * while serving a recorded request is stored with it (variant if any, else the value).
   */
  openFeatureHook() {
    this.context ??= new AsyncLocalStorage();
    return {
      after: (_hookContext, details) => {
        const req = this.context?.getStore();
        if (!req || !details || typeof details.flagKey !== "string") return;
        const value = details.variant ?? details.value;
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
          this.setFlag(req, details.flagKey, value);
      }
    };
  }
  stats() {
    return {
      ...this.sink.stats,
      measured: this.measured,
      recorded: this.recorded,
      redacted: this.redacted,
      counter: this.meter?.counter ?? null,
      ...this.meter?.reason ? { counterReason: this.meter.reason } : {}
    };
  }
  requestStart(message) {
    if (this.options.server && message.server !== this.options.server) return;
    const decision = this.sampler.skip() ? 0 : this.sampler.decide(message.request.method, message.request.url);
    if (decision === 0) {
      if (this.context) this.context.enterWith(void 0);
      return;
    }
    const { request, response } = message;
    this.measured++;
    this.inFlight++;
    const state = {
      decision,
      method: request.method,
      url: request.url,
      t0: process.hrtime.bigint(),
      cpu0: 0,
      bytes: 0,
      omitted: false
    };
    this.states.set(request, state);
    if (this.context) this.context.enterWith(request);
    if (BODY_METHODS.has(request.method ?? "")) this.captureBody(request, state);
    response.on("close", () => this.responseClose(request, response));
    if (this.meter) {
      this.meter.begin();
      state.cpu0 = this.meter.read();
    }
  }
  responseClose(request, response) {
    const state = this.states.get(request);
    if (!state) return;
    this.inFlight--;
    this.states.delete(request);
    const cpu1 = this.meter ? this.meter.read() : 0;
    this.meter?.end();
    if (!response.writableFinished) return;
    const t1 = process.hrtime.bigint();
    try {
      const url = request.url ?? "/";
      const route = state.route ?? expressRoute(request);
      let judged;
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
        ...judged ? { judged } : {}
      });
    } catch (error) {
      this.options.onError?.(`perfgate recorder: ${String(error)}`);
      return;
    }
    if (!this.batchScheduled) {
      this.batchScheduled = true;
      setTimeout(() => this.makeRecords(), this.batchMs).unref();
    }
  }
  /** Makes the records of the requests finished so far and queues them for writing. */
  makeRecords() {
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
  captureBody(request, state) {
    const push = request.push;
    const max = this.maxBody;
    state.chunks = [];
    request.push = function(chunk, encoding) {
      if (Buffer.isBuffer(chunk)) {
        state.bytes += chunk.length;
        if (!state.omitted) {
          if (state.bytes > max) {
            state.omitted = true;
            state.chunks = [];
          } else state.chunks.push(chunk);
        }
      }
      return push.call(this, chunk, encoding);
    };
  }
  /** The endpoint of a finished request and the sampler's verdict; null: no record. */
  judge(state, url, route) {
    const method = (state.method ?? "GET").toUpperCase();
    if (method === "CONNECT") return null;
    const target = toRequestTarget(url);
    if (!target.ok) return null;
    const named = this.endpoint(route, method, target.path);
    const { keep, weight } = this.sampler.finish(
      named.name,
      state.decision,
      state.method,
      state.url
    );
    return keep ? { method, path: target.path, named, weight } : null;
  }
  finishRecord(f) {
    const { state } = f;
    const judged = f.judged ?? this.judge(state, f.url, f.route);
    if (!judged) return;
    const { method, named, weight } = judged;
    const { flags } = f;
    const meta = {
      endpoint: named.name,
      endpointSource: named.source,
      status: f.status,
      latencyMs: f.latencyMs,
      requestBytes: state.bytes,
      ...state.omitted ? { bodyOmitted: true } : {},
      cpu: this.meter ? { counter: this.meter.counter, unit: this.meter.unit, value: f.cpu } : null,
      ...this.commit ? { commit: this.commit } : {},
      host: this.host,
      pid: process.pid,
      time: new Date(f.time).toISOString(),
      ...flags && Object.keys(flags).length ? { flags } : {},
      sampled: state.decision === 2 ? "floor" : "rate"
    };
    const line = recordLine(
      {
        method,
        path: judged.path,
        rawHeaders: f.rawHeaders,
        ...state.chunks && !state.omitted ? { body: Buffer.concat(state.chunks) } : {},
        ...named.source !== "auto" ? { endpoint: named.name } : {},
        weight,
        meta
      },
      this.redact,
      this.redacted
    );
    if (this.sink.write(line)) this.recorded++;
  }
  endpoint(route, method, path2) {
    if (route !== void 0) {
      return { name: `${method} ${normalisePath(route.split("?")[0])}`, source: "route" };
    }
    const found = endpointFor(method, path2, this.routes);
    return { name: found.name, source: found.source === "route" ? "routes" : "auto" };
  }
};
function expressRoute(req) {
  const r = req;
  if (!r.route || typeof r.route.path !== "string") return void 0;
  const base = typeof r.baseUrl === "string" ? r.baseUrl : "";
  return `${base}${r.route.path}` || "/";
}
function createRecorder(options) {
  return new Recorder(options).start();
}
export {
  Recorder,
  createRecorder
};
//# sourceMappingURL=recorder.js.map
