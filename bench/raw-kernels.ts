// Instantiates a wasmgrad build directly (own memory, no Tensor layer) so one process can time
// the plain and relaxed kernels side by side.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// In a clone: the freshly built build/ (what `npm run bench` builds). In the installed package (the
// CLI bundle in dist/bench/): the package's own .wasm through its exports.
function wasmFile(build: 'simd' | 'relaxed'): string {
  const local = fileURLToPath(new URL(`../build/wasmgrad-${build}.wasm`, import.meta.url));
  return existsSync(local) ? local : fileURLToPath(import.meta.resolve(`wasmgrad/wasm/${build}`));
}

export interface RawModule { k: any; memory: WebAssembly.Memory; heap: number; alloc(bytes: number): number; f32(): Float32Array }

export function instantiateBuild(build: 'simd' | 'relaxed', memoryMB = 256): RawModule {
  const bytes = readFileSync(wasmFile(build));
  // Node 20 keeps relaxed SIMD behind a flag (which newer V8s no longer know: only set it when needed).
  if (build === 'relaxed' && !WebAssembly.validate(bytes)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const memory = new WebAssembly.Memory({ initial: memoryMB * 16, maximum: memoryMB * 16 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, abort() { throw new Error('abort'); }, seed: () => 0 } });
  const k = instance.exports as any;
  let top = Math.ceil(k.heap_base() / 64) * 64;
  return {
    k, memory, heap: top,
    alloc(n: number) { const p = top; top += Math.ceil(n / 64) * 64; if (top > memory.buffer.byteLength) throw new Error('raw module out of memory'); return p; },
    f32: () => new Float32Array(memory.buffer),
  };
}
