// The replay's HTTP client: one kept-alive connection to one local target, one request in
// flight, the whole response body read. It can only ever reach 127.0.0.1:<port>: requests carry a
// path, never a URL, and the connection's host is fixed here.

import { createHash, type Hash } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface ReplayRequest {
  method: string;
  /** Path and query, starting with '/'. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface ReplayResponse {
  status: number;
  bytes: number;
  /** SHA-1 of the body (16 hex digits), when the client hashes bodies. */
  bodyHash?: string;
}

export class NonLocalRequestError extends Error {}

export function assertLocalPath(path: string): void {
  // '//host/x' would read as a network-path reference to some proxies; a request target is a path.
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new NonLocalRequestError(
      `refusing to send '${path}': replayed requests must be a path on the local target`,
    );
  }
}

export class LocalClient {
  readonly host = '127.0.0.1';
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** `hashBodies`: hash each response body as it arrives, for comparing the builds' answers. */
  constructor(
    readonly port: number,
    private readonly hashBodies = false,
  ) {}

  /**
   * Sends one request. `onSend` runs right before the request leaves, `onComplete` right after
   * the last byte of the response arrived: the counter reads go there.
   */
  send(
    req: ReplayRequest,
    onSend?: () => void,
    onComplete?: () => void,
    timeoutMs = 60_000,
    signal?: AbortSignal,
  ): Promise<ReplayResponse> {
    try {
      assertLocalPath(req.path);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers };
      if (req.body) headers['content-length'] = String(req.body.length);
      onSend?.();
      const r = request(
        {
          host: this.host,
          port: this.port,
          method: req.method,
          path: req.path,
          headers,
          agent: this.agent,
          timeout: timeoutMs,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          let bytes = 0;
          const hash: Hash | undefined = this.hashBodies ? createHash('sha1') : undefined;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            hash?.update(chunk);
          });
          res.on('end', () => {
            onComplete?.();
            const status = res.statusCode ?? 0;
            resolve(
              hash
                ? { status, bytes, bodyHash: hash.digest('hex').slice(0, 16) }
                : { status, bytes },
            );
          });
          res.on('error', reject);
        },
      );
      r.on('timeout', () =>
        r.destroy(new Error(`no response within ${Math.round(timeoutMs / 1000)}s`)),
      );
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
