// nn.utils: the names torch.nn.utils gives gradient clipping (clip_grad_norm_, clip_grad_value_).
// The same functions as the top-level wg.clipGradNorm / wg.clipGradValue (src/optim/clip-grad.ts).
export { clipGradNorm as clipGradNorm_, clipGradValue as clipGradValue_ } from '../optim/index.js';
