// Node-only helpers (`wasmgrad/node`): reading and writing files. Kept out of the main entry so
// browser and edge bundles never see `node:fs`. Use with the main entry's save/load:
//   saveFile('model.safetensors', wg.save(model));  model.loadStateDict(wg.load(loadFile('model.safetensors')));
export { loadFile, saveFile } from './io/node-files.js';
