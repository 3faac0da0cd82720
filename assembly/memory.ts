// JS allocates everything above the module's static data; this tells it where that starts.
export function heap_base(): usize {
  return __heap_base;
}

// Lets the loader tell which build a platform-provided WebAssembly.Module is.
export function build_flags(): i32 {
  let flags = 0;
  if (ASC_FEATURE_RELAXED_SIMD) flags |= 1;
  if (ASC_FEATURE_THREADS) flags |= 2;
  return flags;
}
