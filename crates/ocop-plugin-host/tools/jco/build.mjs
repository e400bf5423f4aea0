// `ocop plugin build` for a JavaScript plugin: runs componentize-js (through its API, not
// the jco command line) with Node's clock and Math.random fixed, so that what the tool takes
// from them (a build-time timestamp, the name of its scratch folder) is the same in every
// build. Arguments: SOURCE WIT WORLD OUT, relative to the working directory.
const FIXED_MS = 1767225600000; // 2026-01-01T00:00:00Z
Date.now = () => FIXED_MS;
let state = 2026;
Math.random = () => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
};
const { componentize } = await import('@bytecodealliance/componentize-js');
const { writeFile } = await import('node:fs/promises');
const [sourcePath, witPath, worldName, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node build.mjs SOURCE WIT WORLD OUT');
  process.exit(2);
}
// The deterministic WASI profile gives the plugin stdio, clocks and random (all fixed by
// the host); it has no HTTP.
const { component } = await componentize({
  sourcePath,
  witPath,
  worldName,
  disableFeatures: ['http', 'fetch-event'],
});
await writeFile(out, component);
