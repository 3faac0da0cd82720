// What the page's CSP allows: string evaluation (eval, new Function) and compiling WebAssembly.
const attempt = async (f) => { try { await f(); return 'ok'; } catch (e) { return e.name; } };
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

window.cspProbe = {
  eval: await attempt(() => (0, globalThis.eval)('1')),
  newFunction: await attempt(() => new Function('return 1')()),
  wasmCompile: await attempt(() => WebAssembly.compile(EMPTY_WASM)),
};
