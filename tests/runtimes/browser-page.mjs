// The Chromium side of the runtime matrix (see browser.html).
const params = new URLSearchParams(location.search);
const options = { simd: params.get('simd') ?? 'auto', ...(params.has('threads') ? { threads: Number(params.get('threads')) } : {}) };

async function onMainThread() {
  const wg = await import('../../dist/index.js');
  const { runSmoke } = await import('./smoke.mjs');
  return runSmoke(wg, options);
}

function inWorker(threads) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./browser-worker.mjs', import.meta.url), { type: 'module' });
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.result));
    worker.onerror = (e) => reject(new Error(e.message || 'worker failed to load'));
    worker.postMessage({ ...options, threads });
  });
}

// ?worker=N asks the Worker's init for N threads; ?worker=default leaves the count to init.
const workerThreads = params.get('worker') === 'default' ? undefined : Number(params.get('worker'));
const run = params.has('worker') ? inWorker(workerThreads) : onMainThread();
run.then((result) => { window.smokeResult = result; }, (e) => { window.smokeResult = { error: String(e && e.stack || e) }; });
