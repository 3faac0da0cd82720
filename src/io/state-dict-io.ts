// save / load: state dicts <-> safetensors bytes, with PyTorch's state_dict names and layouts,
// so files move between wasmgrad and PyTorch (safetensors.torch.load_file / save_file).
import { Tensor } from '../tensor.js';
import { fromValues } from '../ops/creation.js';
import { checkOptions } from '../options.js';
import { decodeSafetensors, encodeSafetensors, toFloat32, toInt32, type TensorInput } from './safetensors.js';

export type StateDictLike = Map<string, Tensor> | Record<string, Tensor>;
interface HasStateDict { stateDict(): Map<string, Tensor> }

function entries(target: HasStateDict | StateDictLike): [string, Tensor][] {
  if (target && typeof (target as HasStateDict).stateDict === 'function') return [...(target as HasStateDict).stateDict()];
  if (target instanceof Map) return [...target];
  if (target && typeof target === 'object') return Object.entries(target as Record<string, Tensor>);
  throw new Error(`save: expected a Module, a Map or an object of tensors, got ${target === null ? 'null' : typeof target}`);
}

/** Serialises a module's state dict (or a state dict) as safetensors bytes. */
export function save(target: HasStateDict | StateDictLike, metadata?: Record<string, string>): Uint8Array {
  const out: Record<string, TensorInput> = {};
  for (const [name, t] of entries(target)) {
    if (!(t instanceof Tensor)) throw new Error(`save: entry "${name}" is not a Tensor`);
    const data = t.data();
    out[name] = { dtype: t.dtype === 'int32' ? 'I32' : 'F32', shape: t.shape.slice(), data };
  }
  return encodeSafetensors(out, metadata);
}

/**
 * Reads safetensors bytes into a state dict (Map name -> Tensor). Float dtypes become float32,
 * integer and bool dtypes int32. The bytes are validated before anything is allocated.
 */
export function load(bytes: Uint8Array, opts: { maxHeaderBytes?: number } = {}): Map<string, Tensor> {
  checkOptions({ op: 'load', keywords: ['maxHeaderBytes'], types: { maxHeaderBytes: 'number' } }, opts);
  if (!(bytes instanceof Uint8Array)) throw new Error(`load: expected a Uint8Array of safetensors bytes, got ${typeof bytes}`);
  const { tensors } = decodeSafetensors(bytes, opts);
  const dict = new Map<string, Tensor>();
  try {
    for (const [name, raw] of tensors) {
      const isFloat = raw.dtype === 'F32' || raw.dtype === 'F64' || raw.dtype === 'F16' || raw.dtype === 'BF16';
      dict.set(name, isFloat ? fromValues(toFloat32(raw), raw.shape, 'float32') : fromValues(toInt32(raw), raw.shape, 'int32'));
    }
  } catch (e) {
    for (const t of dict.values()) t.dispose(); // nothing half-loaded stays allocated
    throw e;
  }
  return dict;
}

/** Metadata stored in a safetensors file's header (`__metadata__`). */
export function loadMetadata(bytes: Uint8Array): Record<string, string> {
  return decodeSafetensors(bytes).metadata;
}
