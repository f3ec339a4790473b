// Gradient clipping, in place, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_. The optimizer applies
// them before its update when configured with clipNorm / clipValue; they also work on their own.
import { noGrad, ops, tidy, type Tensor } from '../tensor/index.js';

/**
 * Scales every gradient by min(1, maxNorm / (total + 1e-6)), where total is the L2 norm of all gradients
 * together (as if concatenated), like clip_grad_norm_. Unlike Keras's per-variable `clipnorm`, the norm is
 * global (Keras's `global_clipnorm`).
 */
export function clipGradNorm_(grads: readonly Tensor[], maxNorm: number): void {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm_: maxNorm must be > 0, got ${maxNorm}`);
  if (grads.length === 0) return;
  noGrad(() =>
    tidy(() => {
      const norms = grads.map((g) => ops.vectorNorm(g, 2));
      const total = norms.length === 1 ? norms[0] : ops.vectorNorm(ops.stack(norms), 2);
      // maxNorm / (total + 1e-6) in the gradients' dtype, clamped at 1 (no branch, no read back).
      const coef = ops.clampMax(ops.div(ops.fullLike(total, maxNorm), ops.add(total, 1e-6)), 1.0);
      for (const g of grads) ops.mul_(g, coef);
    }),
  );
}

/** Clamps every gradient element into [-clipValue, clipValue], like clip_grad_value_. */
export function clipGradValue_(grads: readonly Tensor[], clipValue: number): void {
  if (!(clipValue > 0)) throw new RangeError(`clipGradValue_: clipValue must be > 0, got ${clipValue}`);
  noGrad(() => tidy(() => grads.forEach((g) => ops.clamp_(g, -clipValue, clipValue))));
}
