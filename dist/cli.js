#!/usr/bin/env node
// Source maps on before the bundle is compiled, so its stack traces name src/ lines.
process.setSourceMapsEnabled(true);
const bundle = new URL('./cli.bundle.js', import.meta.url);
process.argv[1] = (await import('node:url')).fileURLToPath(bundle);
await import(bundle.href);
