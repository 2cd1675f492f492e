// Builds the committed bundles in dist/ (the action's main and post steps, and the CLI) and copies
// the native addon next to them. `--check` rebuilds into a temp folder and fails if the committed
// JavaScript differs; `.node` files are not byte-reproducible, so they are smoke-loaded instead.
// `--outdir DIR` builds the JavaScript into DIR instead of dist/ (tests of the bundles).
//
// Stack traces users are asked to report name src/ files and lines: each bundle has a source map
// (dist/*.js.map), and the programs perfgate runs (the CLI, the action's main and post steps) are
// small entry files that turn source maps on and then import their bundle. Node reads a module's
// source map when it compiles it, so a bundle cannot turn them on for itself. The recorder is a
// library loaded into the user's service: it gets a map but leaves the process's settings alone.

import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const withNative = process.argv.includes('--native');
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : undefined;
// `program`: run by node (an entry file turns source maps on, then imports `<out>.bundle.js`).
const entries = [
  { in: 'src/index.ts', out: 'index', program: true },
  { in: 'src/action/post.ts', out: 'post', program: true },
  { in: 'src/cli.ts', out: 'cli', program: true },
  { in: 'src/recorder/index.ts', out: 'recorder', program: false },
];
// A renamed or deleted entry point must fail the build (and --check), not drop a bundle silently.
const missing = entries.filter((e) => !existsSync(join(root, e.in)));
if (missing.length) {
  console.error(`entry points missing: ${missing.map((e) => e.in).join(', ')}`);
  process.exit(1);
}

// ESM bundles still meet CommonJS dependencies that call require().
const banner =
  "import { createRequire as __perfgateRequire } from 'node:module';\nconst require = __perfgateRequire(import.meta.url);";

function entryFile(e) {
  const lines = [
    '// Source maps on before the bundle is compiled, so its stack traces name src/ lines.',
    'process.setSourceMapsEnabled(true);',
    `const bundle = new URL('./${e.out}.bundle.js', import.meta.url);`,
    'await import(bundle.href);',
    '',
  ];
  if (e.out === 'cli') {
    // src/cli.ts runs its command line only when it is the program node was started with.
    lines.splice(3, 0, "process.argv[1] = (await import('node:url')).fileURLToPath(bundle);");
    lines.unshift('#!/usr/bin/env node');
  }
  return lines.join('\n');
}

/** Every JavaScript file a build writes (bundles, their maps, the entry files), by name. */
function outputs() {
  return entries.flatMap((e) => {
    const bundled = e.program ? `${e.out}.bundle.js` : `${e.out}.js`;
    return [bundled, `${bundled}.map`, ...(e.program ? [`${e.out}.js`] : [])];
  });
}

async function bundle(outdir) {
  await build({
    entryPoints: entries.map((e) => ({
      in: join(root, e.in),
      out: e.program ? `${e.out}.bundle` : e.out,
    })),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: banner },
    // The dependencies' licence notices travel with the code that carries them.
    legalComments: 'eof',
    // Maps for stack traces: file and line are enough, the sources are in the repository.
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
    // Relative paths in the output keep the bundle identical on every machine.
    absWorkingDir: root,
  });
  for (const e of entries.filter((x) => x.program)) {
    writeFileSync(join(outdir, `${e.out}.js`), entryFile(e), {
      mode: e.out === 'cli' ? 0o755 : 0o644,
    });
  }
}

function nativeTag() {
  return `${process.platform}-${process.arch}`;
}

if (outdir) {
  mkdirSync(outdir, { recursive: true });
  await bundle(outdir);
  console.log(`built ${outputs().join(', ')} in ${outdir}`);
} else if (check) {
  // Beside dist/, so the maps' relative source paths come out as they do in dist/.
  const tmp = mkdtempSync(join(root, '.dist-check-'));
  await bundle(tmp);
  const stale = [];
  for (const file of outputs()) {
    const committed = join(root, 'dist', file);
    if (
      !existsSync(committed) ||
      readFileSync(committed, 'utf8') !== readFileSync(join(tmp, file), 'utf8')
    ) {
      stale.push(`dist/${file}`);
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  if (stale.length) {
    console.error(
      `dist/ is out of date: ${stale.join(', ')} differ from a fresh build of src/.\nRun 'npm run build' and commit dist/.`,
    );
    process.exit(1);
  }
  // Smoke-load every committed addon this machine can load.
  const dir = join(root, 'dist', 'native');
  const tags = existsSync(dir) ? readdirSync(dir) : [];
  if (!tags.includes(nativeTag())) {
    console.error(`dist/native/${nativeTag()}/perfgate.node is missing`);
    process.exit(1);
  }
  const addon = createRequire(import.meta.url)(join(dir, nativeTag(), 'perfgate.node'));
  if (typeof addon.open !== 'function' || !addon.probe('task-clock').ok) {
    console.error(`dist/native/${nativeTag()}/perfgate.node loaded but does not work`);
    process.exit(1);
  }
  // And through the bundle's own loader, which refuses an addon built from older sources.
  const probed = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'probe', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, PERFGATE_NATIVE: join(dir, nativeTag(), 'perfgate.node') },
  });
  let native;
  try {
    native = JSON.parse(probed.stdout).native;
  } catch {
    native = { loaded: false, reason: probed.stderr.trim() || 'no output' };
  }
  if (!native.loaded) {
    console.error(
      `dist/cli.js cannot use dist/native/${nativeTag()}/perfgate.node: ${native.reason}`,
    );
    process.exit(1);
  }
  // Addons this machine cannot load: check at least that each is a shared object for its arch.
  const machines = { x64: 0x3e, arm64: 0xb7 };
  for (const tag of tags) {
    const elf = readFileSync(join(dir, tag, 'perfgate.node'));
    const arch = tag.split('-')[1];
    if (elf.readUInt32BE(0) !== 0x7f454c46 || elf.readUInt16LE(18) !== machines[arch]) {
      console.error(`dist/native/${tag}/perfgate.node is not an ELF shared object for ${arch}`);
      process.exit(1);
    }
  }
  console.log(`dist/ is up to date (${entries.length} bundles; addons: ${tags.join(', ')})`);
} else {
  mkdirSync(join(root, 'dist'), { recursive: true });
  await bundle(join(root, 'dist'));
  const built = join(root, 'native', 'build', 'Release', 'perfgate.node');
  const target = join(root, 'dist', 'native', nativeTag(), 'perfgate.node');
  if (withNative || !existsSync(target)) {
    if (!existsSync(built)) {
      console.error(`no native build at ${built}; run 'npm run build:native' first`);
      process.exit(1);
    }
    mkdirSync(join(root, 'dist', 'native', nativeTag()), { recursive: true });
    copyFileSync(built, target);
  }
  console.log(
    `built ${outputs()
      .map((f) => `dist/${f}`)
      .join(', ')}`,
  );
}
