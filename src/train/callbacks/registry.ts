// Callbacks from plain-data configs: { name: 'earlyStopping', monitor: 'val_loss', patience: 3 }.
import { ConfigError } from '../../engine/errors.js';
import { asObject, readFields, readName, type FieldSpec } from '../../engine/fields.js';
import type { Callback } from './callback.js';
import { CsvLogger } from './csv-logger.js';
import { EarlyStopping } from './early-stopping.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { Progress } from './progress.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

const mode = { type: 'choice', default: 'auto', choices: ['auto', 'min', 'max'] } as const;
const monitor = { type: 'string', default: 'val_loss' } as const;

const SPECS = {
  earlyStopping: {
    monitor,
    mode,
    patience: { type: 'number', default: 0, min: 0, integer: true },
    minDelta: { type: 'number', default: 0, min: 0 },
    restoreBestWeights: { type: 'boolean', default: false },
    startFromEpoch: { type: 'number', default: 0, min: 0, integer: true },
  },
  reduceLROnPlateau: {
    monitor,
    mode,
    factor: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, below: 1 },
    patience: { type: 'number', default: 10, min: 0, integer: true },
    minDelta: { type: 'number', default: 1e-4, min: 0 },
    cooldown: { type: 'number', default: 0, min: 0, integer: true },
    minLr: { type: 'number', default: 0, min: 0 },
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
