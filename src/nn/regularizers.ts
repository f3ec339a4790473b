// Weight penalties added to the training loss, with Keras's semantics: l1 adds l1·Σ|w|, l2 adds l2·Σw²
// (no ½, unlike the weight decay of SGD), l1l2 adds both.
import { ops, tidy, type Tensor } from '../tensor/index.js';
import { resolveConfig, type ParamSpec, type ParamValue } from '../engine/fields.js';

const factor = (d: number): ParamSpec => ({ type: 'number', default: d, min: 0 });

const SPECS = {
  l1: { l1: factor(0.01) },
  l2: { l2: factor(0.01) },
  /** Keras's L1L2 defaults both factors to 0 (its `l1_l2` shortcut to 0.01): name the ones you want. */
  l1l2: { l1: factor(0), l2: factor(0) },
} satisfies Record<string, Record<string, ParamSpec>>;

export type RegularizerName = keyof typeof SPECS;
export const REGULARIZER_NAMES = Object.keys(SPECS) as RegularizerName[];

/** A regularizer config: a name, or `{ name, l1?, l2? }`. */
export type RegularizerConfig = RegularizerName | string | { name: string; [param: string]: unknown };

export interface Regularizer {
  readonly name: RegularizerName;
  /** The penalty of weight w: a 0-d tensor that carries w's gradient. */
  penalty(w: Tensor): Tensor;
  getConfig(): { name: RegularizerName; [param: string]: ParamValue };
}

/** The regularizer a config names ('l1', 'l2', 'l1l2' or Keras's 'l1_l2'); errors name `path`. */
export function regularizer(config: RegularizerConfig, path = 'regularizer'): Regularizer {
  const { name, params } = resolveConfig(config, path, 'regularizer', SPECS as Record<RegularizerName, Record<string, ParamSpec>>);
  const l1 = (params.l1 as number | undefined) ?? 0;
  const l2 = (params.l2 as number | undefined) ?? 0;
  return {
    name,
    penalty: (w) =>
      tidy(() => {
        // A term whose factor is 0 is left out, so it costs nothing.
        const terms: Tensor[] = [];
        if (l1 > 0) terms.push(ops.mul(ops.sum(ops.abs(w)), l1));
        if (l2 > 0) terms.push(ops.mul(ops.sum(ops.square(w)), l2));
        if (terms.length === 0) return ops.scalarTensor(0, w.dtype);
        return terms.length === 1 ? terms[0] : ops.add(terms[0], terms[1]);
      }),
    getConfig: () => ({ name, ...params }),
  };
}
