// Grad mode: the no-grad scope for evaluation and optimiser updates (like torch.no_grad()).
import { getNative } from '../engine/native.js';

const native = getNative();

/** Runs fn with gradient recording off, restoring the previous mode afterwards. */
export function noGrad<T>(fn: () => T): T {
  const previous = native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs fn with gradient recording on (inside a noGrad scope, say). */
export function enableGrad<T>(fn: () => T): T {
  const previous = native.setGradEnabled(true);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}
