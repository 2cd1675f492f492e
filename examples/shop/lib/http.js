// HTTP plumbing shared by both builds: routing, JSON in and out, keep-alive, graceful stop.
// Handlers are plain synchronous functions (ctx) => { status, body, headers? }.

import http from 'node:http';

const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** routes: [method, '/api/products/:id', handler]. Compiled once into anchored regexes. */
function compile(routes) {
  return routes.map(([method, path, handler]) => {
    const names = [];
    const source = path.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    });
    return { method, regex: new RegExp(`^${source}$`), names, handler };
  });
}

function match(compiled, method, pathname) {
  let pathMatched = false;
  for (const route of compiled) {
    const m = route.regex.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params = {};
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
    return { route, params };
  }
  throw pathMatched
    ? new HttpError(405, 'method_not_allowed', `${method} not allowed on ${pathname}`)
    : new HttpError(404, 'not_found', `No route for ${pathname}`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'body_too_large', `Body exceeds ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text, contentType) {
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'Expected application/json');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'Body is not valid JSON');
  }
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Starts the service on 127.0.0.1:$PORT. `state` is passed to every handler as ctx.state. */
export function startServer(routes, state) {
  const compiled = compile(routes);

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      const { route, params } = match(compiled, req.method, url.pathname);
      let body;
      if (req.method === 'POST' || req.method === 'PUT') {
        body = parseJson(await readBody(req), req.headers['content-type']);
      }
      const out = route.handler({ params, query: url.searchParams, body, state });
      send(res, out.status ?? 200, out.body, out.headers);
    } catch (err) {
      if (err instanceof HttpError) {
        const error = { code: err.code, message: err.message };
        if (err.details) error.details = err.details;
        send(res, err.status, { error });
      } else {
        console.error(err);
        send(res, 500, { error: { code: 'internal', message: 'Internal error' } });
      }
    }
  });

  // Replayed traffic reuses connections; keep them open longer than any client pause.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const port = Number(process.env.PORT ?? 3000);
  server.listen(port, '127.0.0.1', () => {
    console.log(`shop listening on http://127.0.0.1:${server.address().port}`);
  });

  // Graceful stop: refuse new connections, let in-flight requests finish, drop idle sockets.
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return server;
}
