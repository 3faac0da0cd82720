// Embedding's max_norm: PyTorch's embedding_renorm_. (The lookup itself is ew_index_select and its
// gradient ew_index_add, in elementwise.ts.)

// Every row k = idx[t] of w [*, dim] whose normType-norm exceeds maxNorm is scaled in place by
// maxNorm / (norm + 1e-7). Indices are already validated. A repeated index is scaled once: after
// the first scaling its norm is below maxNorm.
export function emb_renorm(w: usize, idx: usize, nidx: i32, dim: i32, maxNorm: f32, normType: f32): void {
  for (let t = 0; t < nidx; t++) {
    const k = load<i32>(idx + (<usize>t << 2));
    const row = w + ((<usize>k * <usize>dim) << 2);
    let norm: f64 = 0;
    if (normType == Infinity) {
      for (let j = 0; j < dim; j++) norm = Math.max(norm, Math.abs(<f64>load<f32>(row + (<usize>j << 2))));
    } else if (normType == 2) {
      for (let j = 0; j < dim; j++) { const v = <f64>load<f32>(row + (<usize>j << 2)); norm += v * v; }
      norm = Math.sqrt(norm);
    } else if (normType == 1) {
      for (let j = 0; j < dim; j++) norm += Math.abs(<f64>load<f32>(row + (<usize>j << 2)));
    } else {
      const p = <f64>normType;
      for (let j = 0; j < dim; j++) norm += Math.pow(Math.abs(<f64>load<f32>(row + (<usize>j << 2))), p);
      norm = Math.pow(norm, 1 / p);
    }
    if (<f32>norm > maxNorm) {
      const scale = <f32>(<f64>maxNorm / (norm + 1e-7));
      for (let j = 0; j < dim; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * scale);
    }
  }
}
