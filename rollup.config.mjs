// Bundles the TypeScript layer to ESM and CJS next to the .wasm builds (the loader finds them
// relative to the bundle), and emits .d.ts through tsc; then the benchmark CLI (bench/cli.ts) into
// dist/bench/cli.js for the installed package's `npx wasmgrad-bench`.
import typescript from '@rollup/plugin-typescript';
import { transform } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';

const copyWasm = () => ({
  name: 'copy-wasm',
  writeBundle() {
    mkdirSync('dist', { recursive: true });
    for (const f of readdirSync('build')) if (f.endsWith('.wasm')) copyFileSync(`build/${f}`, `dist/${f}`);
    // The pool's worker is plain JS loaded by URL next to the bundle.
    copyFileSync('src/runtime/thread-worker.js', 'dist/thread-worker.js');
  },
});

const library = {
  // `node` holds the fs helpers so the main entry stays free of Node built-ins.
  input: { index: 'src/index.ts', node: 'src/node.ts' },
  output: [
    { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    { dir: 'dist', format: 'cjs', sourcemap: true, exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
  ],
  // tensor.ts <-> ops/* is a deliberate cycle (Tensor methods delegate to ops; ops build Tensors),
  // resolved at call time, never at module evaluation.
  onwarn(w, warn) { if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w); },
  external: [/^node:/],
  plugins: [
    typescript({ tsconfig: './tsconfig.json', declaration: true, declarationDir: 'dist/types', outDir: 'dist', rootDir: 'src' }),
    copyWasm(),
  ],
};

// The CLI bundle holds bench/ and the example modules it uses, and imports the library from the
// package's own dist/index.js (never a second copy of src/: any other src/ import fails the build).
// Optional peers (tfjs, jax-js, the mnist digits) are found at run time (bench/peers/resolve.ts).
const SRC = resolve('src'), ENTRY = resolve('src/index.ts'), DIST_INDEX = resolve('dist/index.js');

const benchSources = () => ({
  name: 'bench-sources',
  async resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null;
    let file = resolve(dirname(importer), source);
    if (file.endsWith('.js') && existsSync(file.slice(0, -3) + '.ts')) file = file.slice(0, -3) + '.ts';
    if (file === ENTRY) return { id: DIST_INDEX, external: true };
    if (file.startsWith(SRC + '/')) this.error(`${relative('.', importer)} imports ${relative('.', file)}: the CLI bundle may only use the library's public entry (src/index.ts)`);
    return file;
  },
  async transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    // Files next to a module (`new URL('./x.py', import.meta.url)`) ship beside the bundle.
    code = code.replace(/new URL\('\.\/([\w.-]+\.py)', import\.meta\.url\)/g, (_, name) => {
      const ref = this.emitFile({ type: 'asset', fileName: `bench/${name}`, source: readFileSync(resolve(dirname(id), name)) });
      return `new URL(import.meta.ROLLUP_FILE_URL_${ref})`;
    });
    const out = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: basename(id), sourcemap: true });
    return { code: out.code, map: out.map };
  },
});

const cli = {
  input: { 'bench/cli': 'bench/cli.ts' },
  // One file, dist/bench/cli.js. `paths` are relative to dist/ (rollup re-roots them for bench/):
  // the library import becomes ../index.js.
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', inlineDynamicImports: true, sourcemap: true, paths: { [DIST_INDEX]: './index.js' } },
  external: [/^node:/],
  plugins: [benchSources()],
};

export default [library, cli];
