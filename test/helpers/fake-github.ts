// A fake GitHub REST API on loopback: the endpoints perfgate calls, with state, paging and
// switches that answer like a fork pull request's read-only token. Point a client (or the bundled
// action, through GITHUB_API_URL) at `url`; GitHub Enterprise Server's `/api/v3` prefix is
// accepted too.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string or the `/api/v3` prefix. */
  path: string;
  /** Raw path as sent, query string included. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: { login: string; type: string };
  createdAt: string;
  updatedAt: string;
}

export interface FakeStatus {
  sha: string;
  state: string;
  context: string;
  description: string | undefined;
  targetUrl: string | undefined;
}

export interface FakeDeploymentStatus {
  deploymentId: number;
  state: string;
  description: string | undefined;
  logUrl: string | undefined;
}

export type Refusal = 403 | 404 | 500 | null;

export interface FakeGitHub {
  /** http://127.0.0.1:<port>: use as the API base URL (GITHUB_API_URL). */
  url: string;
  owner: string;
  repo: string;
  requests: RecordedRequest[];
  comments: FakeComment[];
  statuses: FakeStatus[];
  deploymentStatuses: FakeDeploymentStatus[];
  /** Answer every comment request (list, create, update) with this status; null restores. */
  failComments(code?: Refusal): void;
  failStatuses(code?: Refusal): void;
  failDeployments(code?: Refusal): void;
  /** Adds comments written by someone else, oldest first (to exercise paging). */
  seedComments(issueNumber: number, bodies: string[], login?: string): FakeComment[];
  /** Comments on one issue, oldest first. */
  commentsOn(issueNumber: number): FakeComment[];
  close(): Promise<void>;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  /** Largest page the server hands out, whatever per_page asks for (GitHub's is 100). */
  maxPerPage?: number;
  /** Login that created comments are attributed to. */
  login?: string;
}

const FORBIDDEN = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest',
  status: '403',
};
const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest',
  status: '404',
};
const SERVER_ERROR = { message: 'Server Error', status: '500' };

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const maxPerPage = options.maxPerPage ?? 100;
  const botLogin = options.login ?? 'github-actions[bot]';
  const requests: RecordedRequest[] = [];
  const comments: FakeComment[] = [];
  const statuses: FakeStatus[] = [];
  const deploymentStatuses: FakeDeploymentStatus[] = [];
  const refusals: Record<'comments' | 'statuses' | 'deployments', Refusal> = {
    comments: null,
    statuses: null,
    deployments: null,
  };
  let nextId = 1000;
  let origin = '';

  const addComment = (issueNumber: number, body: string, login: string): FakeComment => {
    const now = new Date().toISOString();
    const comment: FakeComment = {
      id: nextId++,
      issueNumber,
      body,
      user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
      createdAt: now,
      updatedAt: now,
    };
    comments.push(comment);
    return comment;
  };

  const commentJson = (c: FakeComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: { login: c.user.login, type: c.user.type, id: 1 },
    html_url: `https://github.com/${owner}/${repo}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    url: `${origin}/repos/${owner}/${repo}/issues/comments/${c.id}`,
    issue_url: `${origin}/repos/${owner}/${repo}/issues/${c.issueNumber}`,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  });

  const repoPath = `/repos/${owner}/${repo}`;
  const routes: {
    method: string;
    pattern: RegExp;
    area: keyof typeof refusals;
    handle: (
      match: RegExpMatchArray,
      body: Record<string, unknown>,
      query: URLSearchParams,
    ) => [number, unknown, Record<string, string>?];
  }[] = [
    {
      method: 'GET',
      pattern: new RegExp(`^${escape(repoPath)}/issues/(\\d+)/comments$`),
      area: 'comments',
      handle: (match, _body, query) => {
        const issue = Number(match[1]);
        const all = comments.filter((c) => c.issueNumber === issue);
        const perPage = Math.min(maxPerPage, Number(query.get('per_page') ?? 30) || 30);
        const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string) =>
          `<${origin}${repoPath}/issues/${issue}/comments?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const links = [];
        if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
        if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
        const headers: Record<string, string> = links.length ? { link: links.join(', ') } : {};
        return [200, slice.map(commentJson), headers];
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${escape(repoPath)}/issues/(\\d+)/comments$`),
      area: 'comments',
      handle: (match, body) => {
        if (typeof body['body'] !== 'string') return [422, { message: 'Validation Failed' }];
        return [201, commentJson(addComment(Number(match[1]), body['body'], botLogin))];
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^${escape(repoPath)}/issues/comments/(\\d+)$`),
      area: 'comments',
      handle: (match, body) => {
        const comment = comments.find((c) => c.id === Number(match[1]));
        if (!comment) return [404, NOT_FOUND];
        if (typeof body['body'] !== 'string') return [422, { message: 'Validation Failed' }];
        comment.body = body['body'];
        comment.updatedAt = new Date().toISOString();
        return [200, commentJson(comment)];
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${escape(repoPath)}/statuses/([0-9a-f]{7,64})$`),
      area: 'statuses',
      handle: (match, body) => {
        const state = String(body['state']);
        if (!['error', 'failure', 'pending', 'success'].includes(state)) {
          return [422, { message: 'Validation Failed' }];
        }
        const description = optionalString(body['description']);
        if (description !== undefined && description.length > 140) {
          return [
            422,
            { message: 'Validation Failed: description is too long (maximum is 140 characters)' },
          ];
        }
        const status: FakeStatus = {
          sha: match[1]!,
          state,
          context: optionalString(body['context']) ?? 'default',
          description,
          targetUrl: optionalString(body['target_url']),
        };
        statuses.push(status);
        return [
          201,
          {
            id: statuses.length,
            state,
            context: status.context,
            description,
            target_url: status.targetUrl,
          },
        ];
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${escape(repoPath)}/deployments/(\\d+)/statuses$`),
      area: 'deployments',
      handle: (match, body) => {
        const state = String(body['state']);
        const allowed = [
          'error',
          'failure',
          'inactive',
          'in_progress',
          'queued',
          'pending',
          'success',
        ];
        if (!allowed.includes(state)) return [422, { message: 'Validation Failed' }];
        const status: FakeDeploymentStatus = {
          deploymentId: Number(match[1]),
          state,
          description: optionalString(body['description']),
          logUrl: optionalString(body['log_url']),
        };
        deploymentStatuses.push(status);
        return [201, { id: deploymentStatuses.length, state, log_url: status.logUrl }];
      },
    },
  ];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const parsed = new URL(req.url ?? '/', 'http://fake');
      const path = parsed.pathname.replace(/^\/api\/v3(?=\/)/, '');
      const method = req.method ?? 'GET';
      requests.push({ method, path, url: req.url ?? '', headers: req.headers, body });

      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(payload));
      };

      if (!req.headers.authorization) {
        send(401, { message: 'Requires authentication', status: '401' });
        return;
      }
      for (const route of routes) {
        if (route.method !== method) continue;
        const match = path.match(route.pattern);
        if (!match) continue;
        const refusal = refusals[route.area];
        if (refusal) {
          send(refusal, refusal === 403 ? FORBIDDEN : refusal === 404 ? NOT_FOUND : SERVER_ERROR);
          return;
        }
        const record =
          typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
        const [status, payload, headers] = route.handle(match, record, parsed.searchParams);
        send(status, payload, headers);
        return;
      }
      send(404, NOT_FOUND);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    owner,
    repo,
    requests,
    comments,
    statuses,
    deploymentStatuses,
    failComments: (code = 403) => {
      refusals.comments = code;
    },
    failStatuses: (code = 403) => {
      refusals.statuses = code;
    },
    failDeployments: (code = 403) => {
      refusals.deployments = code;
    },
    seedComments: (issueNumber, bodies, login = 'someone') =>
      bodies.map((body) => addComment(issueNumber, body, login)),
    commentsOn: (issueNumber) => comments.filter((c) => c.issueNumber === issueNumber),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
