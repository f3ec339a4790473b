// Callbacks from plain-data configs: { name: 'earlyStopping', monitor: 'val_loss', patience: 3 }.
import { ConfigError } from '../../engine/errors.js';
import { asObject, readFields, readName, type FieldSpec } from '../../engine/fields.js';
import type { Callback } from './callback.js';
import { CsvLogger } from './csv-logger.js';
import { EARLY_STOPPING_DEFAULTS, EarlyStopping } from './early-stopping.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { Progress } from './progress.js';
import { REDUCE_LR_DEFAULTS, ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

const mode = { type: 'choice', default: 'auto', choices: ['auto', 'min', 'max'] } as const;
const monitor = { type: 'string', default: 'val_loss' } as const;
// The callbacks' own defaults (Keras's), written once, in the callbacks.
const ES = EARLY_STOPPING_DEFAULTS;
const RLR = REDUCE_LR_DEFAULTS;

const SPECS = {
  earlyStopping: {
    monitor: { ...monitor, default: ES.monitor },
    mode,
    patience: { type: 'number', default: ES.patience, min: 0, integer: true },
    minDelta: { type: 'number', default: ES.minDelta, min: 0 },
    restoreBestWeights: { type: 'boolean', default: ES.restoreBestWeights },
    startFromEpoch: { type: 'number', default: ES.startFromEpoch, min: 0, integer: true },
  },
  reduceLROnPlateau: {
    monitor: { ...monitor, default: RLR.monitor },
    mode,
    factor: { type: 'number', default: RLR.factor, min: 0, exclusiveMin: true, below: 1 },
    patience: { type: 'number', default: RLR.patience, min: 0, integer: true },
    minDelta: { type: 'number', default: RLR.minDelta, min: 0 },
    cooldown: { type: 'number', default: RLR.cooldown, min: 0, integer: true },
    minLr: { type: 'number', default: RLR.minLr, min: 0 },
  },
  // Keras names the folder `filepath`: the same field.
  modelCheckpoint: { path: { type: 'string', aliases: ['filepath'] }, monitor, mode, saveBestOnly: { type: 'boolean', default: false } },
  terminateOnNaN: {},
  progress: { style: { type: 'choice', default: 'auto', choices: ['auto', 'bar', 'lines'] } },
  csvLogger: { path: { type: 'string' }, separator: { type: 'string', default: ',' } },
} satisfies Record<string, Record<string, FieldSpec>>;

export type CallbackName = keyof typeof SPECS;
export const CALLBACK_NAMES = Object.keys(SPECS) as CallbackName[];

function required(v: unknown, at: string): string {
  if (v === null) throw new ConfigError(at, 'is required (a string)');
  return v as string;
}

export function callback(config: unknown, path = 'callback'): Callback {
  const c = asObject(config, path, 'a callback');
  const name = readName(c, path, 'callback', CALLBACK_NAMES);
  const f = readFields(c, SPECS[name], path, `callback '${name}'`) as Record<string, unknown>;
  const at = (k: string) => `${path}.${k}`;
  switch (name) {
    case 'earlyStopping':
      return new EarlyStopping(f as never);
    case 'reduceLROnPlateau':
      return new ReduceLROnPlateau(f as never);
    case 'modelCheckpoint':
      return new ModelCheckpoint({ ...(f as object), path: required(f.path, at('path')) } as never);
    case 'terminateOnNaN':
      return new TerminateOnNaN();
    case 'progress':
      return new Progress(f.style === 'auto' ? {} : { bar: f.style === 'bar' });
    case 'csvLogger':
      return new CsvLogger(required(f.path, at('path')), f.separator as string);
  }
}
