// `perfgate import har|access-log FILE -o workload.jsonl`: recorded traffic → workload v1.

import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { OutputError } from '../samples/index.js';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import picomatch from 'picomatch';
import { expandGlob } from './files.js';
import { loadConfig } from '../config/parse.js';
import { ConfigError, EnvironmentError, UsageError, isUserFacing } from '../errors.js';
import { importAccessLog } from '../workload/access-log.js';
import { importGoReplay, type GorFile } from '../workload/goreplay.js';
import { importHar } from '../workload/har.js';
import type { ImportOptions, ImportResult } from '../workload/importer.js';
import { parseWorkload } from '../workload/parse.js';
import { redactPolicy } from '../workload/redact.js';
import { serializeWorkload } from '../workload/serialize.js';
import { parseCommandArgs, write, type Command, type CommandContext } from './command.js';

const FORMATS = {
  har: importHar,
  'access-log': importAccessLog,
  goreplay: undefined,
} as const;
type Format = keyof typeof FORMATS;
const FORMAT_LIST = 'har, access-log or goreplay';

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  'redact-header': { type: 'string', multiple: true },
  'redact-query': { type: 'string', multiple: true },
  'keep-secrets': { type: 'boolean' },
  host: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
} as const;

const HELP = `Usage: perfgate import har FILE [-o workload.jsonl] [options]
       perfgate import access-log FILE [-o workload.jsonl] [options]
       perfgate import goreplay FILE.gor|'GLOB' [-o workload.jsonl] [options]

Turns recorded traffic into a perfgate workload (JSONL, format v1).

Formats:
  har          HAR 1.2 from a browser's network panel or a proxy (log.entries[].request).
               Bodies are kept (base64 ones too); HTTP/2 pseudo-headers and connection
               headers (Host, Connection, Content-Length, ...) are dropped.
  access-log   nginx/Apache combined or common log format. Logs hold no bodies and no
               headers besides Referer and User-Agent.
  goreplay     GoReplay --output-file recordings (.gor, .gor.gz; a quoted glob such as
               'traffic/*.gor.gz' reads every match in name order). Request records
               (type 1) become requests in timestamp order, chunked bodies de-chunked;
               the original response (type 2, same id) adds meta.status and
               meta.latencyMs. Both 3- and 4-field record headers are read.

Absolute URLs are reduced to their path and query: perfgate never contacts the
recorded host.

Options:
  -o, --output FILE         Where to write the workload (default: standard output).
  -c, --config FILE         perfgate.yml: its 'routes' name endpoints and its
                            'redact' lists add names to drop.
      --redact-header NAME  Also drop this header (repeatable).
      --redact-query NAME   Also redact this query parameter / body field (repeatable).
      --keep-secrets        Keep credentials as recorded (nothing is redacted).
      --host HOST           HAR only: keep requests to this host (repeatable).
      --strict              Fail if any entry or line is skipped.
  -h, --help                Show this help.

Credentials are removed by default:
  headers   Authorization, Proxy-Authorization, Cookie, Set-Cookie (dropped)
  values    query parameters and form/JSON body fields named token, access_token,
            refresh_token, id_token, auth, auth_token, api_key, apikey, api-key,
            password, passwd, pwd, secret, client_secret, session, sessionid,
            session_id, jwt, sig, signature, x-amz-signature, x-amz-credential,
            x-amz-security-token (value replaced by REDACTED)
  Requests that need a credential can get one at replay time from perfgate.yml:
    headers: { Authorization: "Bearer \${TEST_TOKEN}" }

A summary goes to standard error: requests written, values dropped by name, and
every skipped entry or line with the reason.

Exit status: 0 written, 2 bad input or usage (nothing is written).

Examples:
  perfgate import har session.har -o perf/workload.jsonl --host shop.example.com
  perfgate import access-log /var/log/nginx/access.log -o perf/workload.jsonl -c perfgate.yml
`;

export const importCommand: Command = {
  name: 'import',
  summary: 'turn a HAR file, an access log or a GoReplay file into a workload',
  help: HELP,
  async run(argv, ctx) {
    try {
      return await runImport(argv, ctx);
    } catch (error) {
      if (!isUserFacing(error)) throw error;
      write(ctx.stderr, `perfgate import: ${error.message}`);
      if (error.hint) write(ctx.stderr, `hint: ${error.hint}`);
      return 2;
    }
  },
};

async function runImport(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseCommandArgs('import', argv, OPTIONS);
  if (args.help) {
    write(ctx.stdout, HELP);
    return 0;
  }
  const [format, input, ...extra] = args.positionals;
  const usage = "run 'perfgate import --help' for usage";
  if (format === undefined) throw new UsageError(`which format? expected ${FORMAT_LIST}`, usage);
  if (!(format in FORMATS)) {
    throw new UsageError(`unknown format '${format}': expected ${FORMAT_LIST}`, usage);
  }
  if (input === undefined) throw new UsageError(`missing the ${format} file to read`, usage);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, usage);
  const v = args.values;
  if (v.host?.length && format !== 'har') {
    throw new UsageError('--host applies to har only: access logs hold no host');
  }

  const config =
    v.config !== undefined ? await loadConfig(path.resolve(ctx.cwd, v.config)) : undefined;
  const options: ImportOptions = {
    routes: config?.routes ?? [],
    redact: v['keep-secrets']
      ? false
      : redactPolicy({
          headers: [...(config?.redact.headers ?? []), ...(v['redact-header'] ?? [])],
          params: [...(config?.redact.query ?? []), ...(v['redact-query'] ?? [])],
        }),
    hosts: v.host ?? [],
  };

  let result: ImportResult;
  if (format === 'goreplay') {
    result = importGoReplay(await readGorFiles(ctx.cwd, input), options);
  } else {
    const text = await readInput(path.resolve(ctx.cwd, input), input);
    result = FORMATS[format as Exclude<Format, 'goreplay'>](text, input, options);
  }
  const units = format === 'har' ? 'entries' : format === 'goreplay' ? 'records' : 'lines';
  report(result, ctx, units);

  if (v.strict && result.skipped.length > 0) {
    throw new ConfigError(`--strict: ${result.skipped.length} ${units} skipped; nothing written`, {
      file: input,
    });
  }
  if (result.requests.length === 0) {
    throw new ConfigError(
      'no requests to write',
      { file: input },
      `see the skipped ${units} above`,
    );
  }

  const jsonl = serializeWorkload(result.requests);
  // The file we write must be one perfgate reads back: check before writing anything.
  const workload = parseWorkload(jsonl, v.output ?? '<output>', { routes: options.routes ?? [] });
  const output = v.output === '-' ? undefined : v.output;
  if (output === undefined) ctx.stdout.write(jsonl);
  else await writeAtomically(path.resolve(ctx.cwd, output), jsonl);
  write(
    ctx.stderr,
    `wrote ${workload.requests.length} request${plural(workload.requests.length)} ` +
      `(${workload.endpoints.length} endpoint${plural(workload.endpoints.length)}) to ${output ?? 'standard output'}`,
  );
  return 0;
}

async function readInput(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError('file not found', { file: shown });
    throw new ConfigError(`cannot read: ${(error as Error).message}`, { file: shown });
  }
}

/** A file or a glob (in name order, as GoReplay reads them); `.gz` files are decompressed. */
async function readGorFiles(cwd: string, input: string): Promise<GorFile[]> {
  const names = picomatch.scan(input).isGlob ? await expandGlob(cwd, input) : [input];
  if (names.length === 0) throw new ConfigError('no file matches this pattern', { file: input });
  const files: GorFile[] = [];
  for (const name of names) {
    const file = path.resolve(cwd, name);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(code === 'ENOENT' ? 'file not found' : `cannot read: ${code}`, {
        file: name,
      });
    }
    if (name.endsWith('.gz')) {
      try {
        data = gunzipSync(data);
      } catch (error) {
        throw new ConfigError(`not valid gzip: ${(error as Error).message}`, { file: name });
      }
    }
    files.push({ name, data });
  }
  return files;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  // A device or a pipe (/dev/stdout, /dev/full) is written as it is, never renamed over.
  const special = await stat(file).then(
    (st) => !st.isFile(),
    () => false,
  );
  if (special) {
    await writeFile(file, text).catch((error: unknown) => {
      throw OutputError.from(file, error);
    });
    return;
  }
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    // The temporary name means nothing to the user: name the file asked for, and the cause.
    throw code === 'ENOENT'
      ? new EnvironmentError(`cannot write ${file}: its folder does not exist or takes no files`)
      : OutputError.from(file, error);
  }
}

function report(result: ImportResult, ctx: CommandContext, units: string): void {
  const out = (line: string) => write(ctx.stderr, line);
  if (result.hosts.size > 1) {
    const hosts = [...result.hosts].sort((a, b) => b[1] - a[1]).map(([h, n]) => `${h} (${n})`);
    out(
      `warning: requests to ${result.hosts.size} hosts: ${hosts.join(', ')}; all are replayed against the one target unless you pick with --host`,
    );
  }
  for (const warning of result.warnings) out(`warning: ${warning}`);
  if (result.redacted.size > 0) {
    const byName = [...result.redacted].map(([name, n]) => `${name} ×${n}`).join(', ');
    out(`redacted ${total(result.redacted)} value${plural(total(result.redacted))}: ${byName}`);
    if ([...result.redacted.keys()].some((k) => k.startsWith('header '))) {
      out(
        '  requests that need a credential can get one at replay time: headers: { Authorization: "Bearer ${TOKEN}" } in perfgate.yml',
      );
    }
  }
  if (result.skipped.length > 0) {
    out(`skipped ${result.skipped.length} ${units}:`);
    for (const s of result.skipped) out(`  ${s.where}: ${s.reason}`);
  }
}

function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
