// Reductions of plain numbers in float64, for estimates that must not inherit float32 rounding
// (log Z at lengths in the thousands, importance weights).

export function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

export function logMeanExp(x: ArrayLike<number>): number {
  return logSumExp(x) - Math.log(x.length);
}
