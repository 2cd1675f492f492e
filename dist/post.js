// Source maps on before the bundle is compiled, so its stack traces name src/ lines.
process.setSourceMapsEnabled(true);
const bundle = new URL('./post.bundle.js', import.meta.url);
await import(bundle.href);
