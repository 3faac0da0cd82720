// Fused optimizer updates: one pass over a parameter, its gradient and its state buffers, following
// PyTorch 1.13's single-tensor update formulas operation for operation (in f32). Scalars that depend
// on the step count (bias corrections, decayed learning rates) are computed by the caller in f64.
// Each kernel has a SIMD body and a scalar tail that apply the same formula.

// Flag bits shared by the kernels (src/runtime/protocol.ts, OptimFlag).
import { OPT_MAXIMIZE, OPT_NESTEROV, OPT_FIRST_STEP, OPT_HAS_MOMENTUM, OPT_AMSGRAD, OPT_CENTERED } from './protocol.generated';

@inline function f(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function put(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
@inline function vf(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }
@inline function vput(p: usize, i: i32, v: v128): void { v128.store(p + (<usize>i << 2), v); }
@inline function splat(x: f32): v128 { return f32x4.splat(x); }

// d = (maximize ? -g : g) + weightDecay * p: the gradient every optimizer starts from.
@inline function effGrad(g: f32, p: f32, flags: i32, wd: f32): f32 {
  let d = flags & OPT_MAXIMIZE ? -g : g;
  if (wd != 0) d = d + p * wd;
  return d;
}
@inline function effGradV(g: v128, p: v128, flags: i32, wd: f32): v128 {
  let d = flags & OPT_MAXIMIZE ? f32x4.neg(g) : g;
  if (wd != 0) d = f32x4.add(d, f32x4.mul(p, splat(wd)));
  return d;
}

// SGD with optional momentum (buf may be 0 without it), dampening, nesterov and weight decay:
//   d = g + wd*p; buf = first ? d : momentum*buf + (1-dampening)*d; d = nesterov ? d + momentum*buf : buf;
//   p -= lr * d.
// keep = 1 - dampening, computed by the caller in f64 like PyTorch's scalar arguments.
export function opt_sgd(p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, keep: f32,
                        weightDecay: f32, flags: i32): void {
  const mom = (flags & OPT_HAS_MOMENTUM) != 0, first = (flags & OPT_FIRST_STEP) != 0, nesterov = (flags & OPT_NESTEROV) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pv = vf(p, i);
    let d = effGradV(vf(g, i), pv, flags, weightDecay);
    if (mom) {
      const b = first ? d : f32x4.add(f32x4.mul(vf(buf, i), splat(momentum)), f32x4.mul(d, splat(keep)));
      vput(buf, i, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(b, splat(momentum))) : b;
    }
    vput(p, i, f32x4.sub(pv, f32x4.mul(d, splat(lr))));
  }
  for (; i < n; i++) {
    const pv = f(p, i);
    let d = effGrad(f(g, i), pv, flags, weightDecay);
    if (mom) {
      const b = first ? d : f(buf, i) * momentum + d * keep;
      put(buf, i, b);
      d = nesterov ? d + b * momentum : b;
    }
    put(p, i, pv - d * lr);
  }
}

// Adam / AdamW. `l2` is Adam's coupled weight decay (added to the gradient); `decay` multiplies the
// parameter first (AdamW: 1 - lr*weightDecay, Adam: 1). vmax is used only with OPT_AMSGRAD. c1 = 1 - beta1 and
// c2 = 1 - beta2 come from the caller in f64: in f32, 1 - 0.999f is off by 5e-5 relative.
//   m = b1*m + (1-b1)*d; v = b2*v + (1-b2)*d*d; vmax = max(vmax, v);
//   p -= stepSize * m / (sqrt(v or vmax) / bc2Sqrt + eps)
export function opt_adam(p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32, beta1: f32, c1: f32, beta2: f32,
                         c2: f32, eps: f32, l2: f32, decay: f32, stepSize: f32, bc2Sqrt: f32, flags: i32): void {
  const ams = (flags & OPT_AMSGRAD) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let pv = vf(p, i);
    const d = effGradV(vf(g, i), pv, flags, l2);
    if (decay != 1) pv = f32x4.mul(pv, splat(decay));
    const mv = f32x4.add(f32x4.mul(vf(m, i), splat(beta1)), f32x4.mul(d, splat(c1)));
    let vv = f32x4.add(f32x4.mul(vf(v, i), splat(beta2)), f32x4.mul(f32x4.mul(d, d), splat(c2)));
    vput(m, i, mv);
    vput(v, i, vv);
    if (ams) { vv = f32x4.max(vf(vmax, i), vv); vput(vmax, i, vv); }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), splat(bc2Sqrt)), splat(eps));
    vput(p, i, f32x4.sub(pv, f32x4.mul(f32x4.div(mv, denom), splat(stepSize))));
  }
  for (; i < n; i++) {
    let pv = f(p, i);
    const d = effGrad(f(g, i), pv, flags, l2);
    if (decay != 1) pv = pv * decay;
    const mv = f(m, i) * beta1 + d * c1;
    let vv = f(v, i) * beta2 + d * d * c2;
    put(m, i, mv);
    put(v, i, vv);
    if (ams) { vv = max(f(vmax, i), vv); put(vmax, i, vv); }
    const denom = Mathf.sqrt(vv) / bc2Sqrt + eps;
    put(p, i, pv - (mv / denom) * stepSize);
  }
}

// RMSprop: sq = alpha*sq + (1-alpha)*d*d; centered: ga = alpha*ga + (1-alpha)*d, avg = sqrt(sq - ga*ga),
// else avg = sqrt(sq); avg += eps; momentum: buf = momentum*buf + d/avg, p -= lr*buf; else p -= lr*d/avg.
// c = 1 - alpha from the caller (f64).
export function opt_rmsprop(p: usize, g: usize, sq: usize, gavg: usize, buf: usize, n: i32, lr: f32, alpha: f32,
                            c: f32, eps: f32, weightDecay: f32, momentum: f32, flags: i32): void {
  const centered = (flags & OPT_CENTERED) != 0, mom = (flags & OPT_HAS_MOMENTUM) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pv = vf(p, i);
    const d = effGradV(vf(g, i), pv, flags, weightDecay);
    const s = f32x4.add(f32x4.mul(vf(sq, i), splat(alpha)), f32x4.mul(f32x4.mul(d, d), splat(c)));
    vput(sq, i, s);
    let avg: v128;
    if (centered) {
      const ga = f32x4.add(f32x4.mul(vf(gavg, i), splat(alpha)), f32x4.mul(d, splat(c)));
      vput(gavg, i, ga);
      avg = f32x4.sqrt(f32x4.sub(s, f32x4.mul(ga, ga)));
    } else {
      avg = f32x4.sqrt(s);
    }
    avg = f32x4.add(avg, splat(eps));
    if (mom) {
      const b = f32x4.add(f32x4.mul(vf(buf, i), splat(momentum)), f32x4.div(d, avg));
      vput(buf, i, b);
      vput(p, i, f32x4.sub(pv, f32x4.mul(b, splat(lr))));
    } else {
      vput(p, i, f32x4.sub(pv, f32x4.mul(f32x4.div(d, avg), splat(lr))));
    }
  }
  for (; i < n; i++) {
    const pv = f(p, i);
    const d = effGrad(f(g, i), pv, flags, weightDecay);
    const s = f(sq, i) * alpha + d * d * c;
    put(sq, i, s);
    let avg: f32;
    if (centered) {
      const ga = f(gavg, i) * alpha + d * c;
      put(gavg, i, ga);
      avg = Mathf.sqrt(s - ga * ga);
    } else {
      avg = Mathf.sqrt(s);
    }
    avg += eps;
    if (mom) {
      const b = f(buf, i) * momentum + d / avg;
      put(buf, i, b);
      put(p, i, pv - b * lr);
    } else {
      put(p, i, pv - (d / avg) * lr);
    }
  }
}

// Adagrad: sum += d*d; p -= clr * d / (sqrt(sum) + eps), clr = lr / (1 + (step-1)*lrDecay) from the caller.
export function opt_adagrad(p: usize, g: usize, sum: usize, n: i32, clr: f32, weightDecay: f32, eps: f32, flags: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pv = vf(p, i);
    const d = effGradV(vf(g, i), pv, flags, weightDecay);
    const s = f32x4.add(vf(sum, i), f32x4.mul(d, d));
    vput(sum, i, s);
    const std = f32x4.add(f32x4.sqrt(s), splat(eps));
    vput(p, i, f32x4.sub(pv, f32x4.mul(f32x4.div(d, std), splat(clr))));
  }
  for (; i < n; i++) {
    const pv = f(p, i);
    const d = effGrad(f(g, i), pv, flags, weightDecay);
    const s = f(sum, i) + d * d;
    put(sum, i, s);
    put(p, i, pv - (d / (Mathf.sqrt(s) + eps)) * clr);
  }
}

// Sum of |x|^p in f64, for gradient clipping with p-norms other than 2 and inf.
export function opt_sum_abs_pow(x: usize, n: i32, p: f64): f64 {
  let total: f64 = 0;
  if (p == 1) {
    for (let i = 0; i < n; i++) total += Math.abs(<f64>f(x, i));
  } else {
    for (let i = 0; i < n; i++) total += Math.pow(Math.abs(<f64>f(x, i)), p);
  }
  return total;
}
