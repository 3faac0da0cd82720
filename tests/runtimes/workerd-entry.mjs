// Cloudflare workerd: an ES module worker. workerd forbids compiling wasm from bytes, so the .wasm
// is imported as a module (a "wasm" module in the capnp config, or a CompiledWasm rule in wrangler)
// and the resulting WebAssembly.Module goes to init({ module }). The SIMD env binding says which
// build this worker was configured with; the config is written by workerd.ts.
import * as wg from './wasmgrad.js';
import relaxed from './wasmgrad-relaxed.wasm';
import plain from './wasmgrad-simd.wasm';
import { runSmoke } from './smoke.mjs';

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/health') return new Response('ok');
    try {
      const module = env.SIMD === 'plain' ? plain : relaxed;
      return Response.json(await runSmoke(wg, { module }));
    } catch (e) {
      return new Response(`${e && e.stack || e}`, { status: 500 });
    }
  },
};
