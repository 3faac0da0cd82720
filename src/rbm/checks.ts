// Argument checks shared by the RBM, its trainer and the DBN (a module of its own so that cd.ts and
// rbm.ts need not import each other).

export function checkSteps(k: unknown, op: string, what = 'k'): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new Error(`${op}: ${what} must be an integer >= 1, got ${k}`);
  return k;
}
