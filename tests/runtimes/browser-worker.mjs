// A module Worker running the smoke program: workers may block, so they can use threads.
import * as wg from '../../dist/index.js';
import { runSmoke } from './smoke.mjs';

self.onmessage = async (e) => {
  try {
    self.postMessage({ result: await runSmoke(wg, e.data) });
  } catch (err) {
    self.postMessage({ error: String(err && err.stack || err) });
  }
};
