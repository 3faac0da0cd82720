// Whether ops record onto the tape, and PyTorch's anomaly mode.
let enabled = true;
let anomaly = false;

export function isGradEnabled(): boolean { return enabled; }
export function setGradEnabled(on: boolean): void { enabled = on; }

function withMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try { return fn(); } finally { enabled = prev; }
}
/** Runs fn without recording gradients (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T { return withMode(false, fn); }
/** Runs fn with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T { return withMode(true, fn); }

/** When on, backward throws at the first op whose gradient holds NaN or Inf, naming it. */
export function detectAnomaly(on = true): void { anomaly = on; }
export function isAnomalyEnabled(): boolean { return anomaly; }
