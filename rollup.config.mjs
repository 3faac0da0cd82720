// Bundles the TypeScript layer to ESM and CJS next to the .wasm builds (the loader finds them
// relative to the bundle), and emits .d.ts through tsc.
import typescript from '@rollup/plugin-typescript';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const copyWasm = () => ({
  name: 'copy-wasm',
  writeBundle() {
    mkdirSync('dist', { recursive: true });
    for (const f of readdirSync('build')) if (f.endsWith('.wasm')) copyFileSync(`build/${f}`, `dist/${f}`);
    // The pool's worker is plain JS loaded by URL next to the bundle.
    copyFileSync('src/runtime/thread-worker.js', 'dist/thread-worker.js');
  },
});

export default {
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
