// What the host offers: Node-only modules are reached through a computed dynamic import so that
// browser and edge bundles never try to resolve them.

export const isNode = typeof process !== 'undefined' && !!(process as any).versions?.node &&
  typeof (globalThis as any).Deno === 'undefined';
export const isDeno = typeof (globalThis as any).Deno !== 'undefined';
export const isBun = typeof (globalThis as any).Bun !== 'undefined';

const dynamicImport = (specifier: string): Promise<any> => import(/* @vite-ignore */ specifier);

export async function nodeModule(name: 'fs' | 'v8' | 'url' | 'os' | 'worker_threads'): Promise<any> {
  return dynamicImport(`node:${name}`);
}

export function runtimeName(): string {
  if (isDeno) return `deno ${(globalThis as any).Deno.version?.deno ?? ''}`.trim();
  if (isBun) return `bun ${(globalThis as any).Bun.version ?? ''}`.trim();
  if (isNode) return `node ${process.versions.node}`;
  if (typeof navigator !== 'undefined' && navigator.userAgent) {
    if (navigator.userAgent.includes('Cloudflare-Workers')) return 'workerd';
    return navigator.userAgent;
  }
  return 'unknown';
}

// A 61-byte module whose only function uses f32x4.relaxed_madd: validate() says whether relaxed SIMD works.
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00,
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x85, 0x02,
  0x0b,
]);

export async function relaxedSimdSupported(): Promise<boolean> {
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  if (isNode) {
    // Node 20's V8 has relaxed SIMD behind a flag that can be set before the first compile that needs it.
    try {
      const v8 = await nodeModule('v8');
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      return WebAssembly.validate(RELAXED_PROBE);
    } catch {
      return false;
    }
  }
  return false;
}
