// The JSON Schema of an experiment file: the source of truth for its fields, their types and ranges. The
// validator compiles it (validate.ts); `schema/experiment.schema.json` is this object written out
// (write-schema.ts), for editors: put `# yaml-language-server: $schema=<path to it>` at the top of a YAML file,
// or `"$schema": "<path>"` in a JSON one.
//
// Component configs (activations, initializers, optimizers, losses, metrics, callbacks, layers) are a name or
// `{ name, ...parameters }` whose names and parameters their own factories check (in any spelling, with a
// did-you-mean), so the schema only lists their names as examples for completion.
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { INITIALIZER_NAMES } from '../../nn/initializers.js';
import { REGULARIZER_NAMES } from '../../nn/regularizers.js';
import { LAYER_TYPES } from '../../nn/layers/registry.js';
import { LOSS_NAMES } from '../../nn/losses.js';
import { METRIC_NAMES } from '../../nn/metrics.js';
import { OPTIMIZER_NAMES } from '../../optim/optimizers.js';
import { CALLBACK_NAMES } from '../../train/callbacks/registry.js';
import { BUILTIN_DATASETS } from '../../data/builtin/index.js';
import { SAMPLER_NAMES } from '../../tune/samplers/index.js';
import { PRUNER_NAMES } from '../../tune/pruners/index.js';
// The defaults the descriptions name are the ones the loader fills in: written once, there.
import { TRAINING_DEFAULTS } from './run-spec.js';
import { TEMPLATE_DEFAULTS } from './templates.js';
import { RESNET_DEPTHS } from './resnet.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
/**
 * The largest integer any field takes: one a double holds exactly. JSON Schema's 'integer' takes 1e300 too,
 * which nnlab's own checks refuse later, after the file and line are no longer known (or which they would not).
 */
const MAX_INT = Number.MAX_SAFE_INTEGER;
const int = (minimum: number, description?: string): Schema => ({ type: 'integer', minimum, maximum: MAX_INT, ...(description ? { description } : {}) });
const bool = (description: string): Schema => ({ type: 'boolean', description });
/** A positive integer or a list of them (`units: 128` or `units: [256, 128]`). */
const intList = (description: string, minItems = 0): Schema => ({
  description,
  type: ['integer', 'array'],
  minimum: 1,
  maximum: MAX_INT,
  items: { type: 'integer', minimum: 1, maximum: MAX_INT },
  minItems,
});
/** A positive integer or [height, width]. */
const size = (description: string): Schema => ({
  description,
  type: ['integer', 'array'],
  minimum: 1,
  maximum: MAX_INT,
  items: { type: 'integer', minimum: 1, maximum: MAX_INT },
  minItems: 2,
  maxItems: 2,
});
/** A component: its name, or `{ name, ...parameters }` (checked by its factory). */
const component = (what: string, names: readonly string[]): Schema => ({
  description: `${what}: a name (${names.join(', ')}) or { name, ...parameters }`,
  type: ['string', 'object'],
  examples: [...names],
  required: ['name'],
  properties: { name: { type: 'string', examples: [...names] } },
});
/** A name from a fixed list, or an object of the given schema. */
const nameOr = (names: readonly string[], object: Schema): Schema => ({
  type: ['string', 'object'],
  if: { type: 'string' },
  then: { enum: [...names] },
  else: object,
});

/** Transfer learning, on any model section: weights loaded before training, and weights kept from it. */
const TRANSFER = {
  weights: {
    type: 'object',
    additionalProperties: false,
    required: ['file'],
    description: 'A state dict (safetensors) loaded into the model before training, by weight name (PyTorch\'s: conv1.weight, layer1.0.bn1.running_mean, ...).',
    properties: {
      file: { type: 'string', description: 'The .safetensors file (relative to the experiment file).' },
      strict: { type: 'boolean', description: 'Every weight of the model in the file, and nothing else (default true); false loads what matches and lists the rest.' },
      skip: { type: 'array', items: { type: 'string' }, description: 'Weight names (globs: fc.*) kept as the model builds them, e.g. a new head.' },
    },
  },
  freeze: {
    type: 'array',
    minItems: 1,
    items: { type: 'string' },
    description: 'Weight names (globs: layer1.*, conv1.*) kept from training; batch norms whose weights are all frozen stay in inference mode.',
  },
} as const;

const MLP: Schema = {
  description: "A multilayer perceptron: flatten, a dense layer per entry of 'units', and a dense output layer with one unit per class.",
  type: 'object',
  additionalProperties: false,
  required: ['template', 'units'],
  properties: {
    template: { enum: ['mlp', 'cnn'] },
    ...TRANSFER,
    units: intList('Units of each hidden dense layer ([] for none: logistic regression).'),
    activation: component(`Activation of the hidden layers (default ${TEMPLATE_DEFAULTS.activation})`, ACTIVATION_NAMES),
    initializer: component(`Kernel initializer of every dense layer (default ${TEMPLATE_DEFAULTS.initializer})`, INITIALIZER_NAMES),
    biasInitializer: component('Bias initializer of every dense layer (default zeros)', INITIALIZER_NAMES),
    regularizer: component('Kernel regularizer of every dense layer, e.g. { name: l2, l2: 0.01 } (default none)', REGULARIZER_NAMES),
    dropout: {
      type: ['number', 'array'],
      minimum: 0,
      exclusiveMaximum: 1,
      items: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      description: `Dropout rate after each hidden layer (default ${TEMPLATE_DEFAULTS.dropout}: none), or one rate per hidden layer ([0, 0.5, 0]).`,
    },
    batchNorm: bool(`Batch normalisation between each hidden dense layer and its activation (default ${TEMPLATE_DEFAULTS.batchNorm}).`),
    outputActivation: component(`Activation of the output layer (default ${TEMPLATE_DEFAULTS.outputActivation}; a two-class sigmoid output has one unit)`, ACTIVATION_NAMES),
  },
};

const CNN: Schema = {
  description:
    "A convolutional network: per entry of 'filters' a block conv2d (+ batchNorm) + activation + pooling, then flatten, a dense layer per entry of 'dense', and a dense output layer with one unit per class.",
  type: 'object',
  additionalProperties: false,
  required: ['template', 'filters'],
  properties: {
    template: { enum: ['mlp', 'cnn'] },
    ...TRANSFER,
    filters: intList('Filters of each convolutional block.', 1),
    kernelSize: size(`Kernel size of every convolution (default ${TEMPLATE_DEFAULTS.kernelSize}).`),
    padding: { enum: ['same', 'valid'], description: `Convolution padding (default '${TEMPLATE_DEFAULTS.padding}').` },
    activation: component(`Activation of the convolutions and hidden dense layers (default ${TEMPLATE_DEFAULTS.activation})`, ACTIVATION_NAMES),
    initializer: component(`Kernel initializer of every layer with weights (default ${TEMPLATE_DEFAULTS.initializer})`, INITIALIZER_NAMES),
    biasInitializer: component('Bias initializer of every layer with weights (default zeros)', INITIALIZER_NAMES),
    regularizer: component('Kernel regularizer of every layer with weights (default none)', REGULARIZER_NAMES),
    batchNorm: bool(`Batch normalisation between each convolution and its activation (default ${TEMPLATE_DEFAULTS.batchNorm}).`),
    pool: { enum: ['max', 'avg', 'none'], description: `Pooling after each block (default '${TEMPLATE_DEFAULTS.pool}').` },
    poolSize: size(`Pool size (default ${TEMPLATE_DEFAULTS.poolSize}).`),
    dense: intList(`Units of each hidden dense layer of the head (default [${TEMPLATE_DEFAULTS.dense.join(', ')}]).`),
    dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: `Dropout rate before each dense layer of the head (default ${TEMPLATE_DEFAULTS.dropout}: none).` },
    outputActivation: component(`Activation of the output layer (default ${TEMPLATE_DEFAULTS.outputActivation})`, ACTIVATION_NAMES),
  },
};

const RESNET: Schema = {
  description:
    "A residual network: depth 18 or 34 is torchvision's ResNet-18/34 (its module names: a torchvision state dict loads unchanged), depth 20, 32 or 56 the CIFAR ResNet of He et al. (3 stages of 16/32/64 filters).",
  type: 'object',
  additionalProperties: false,
  required: ['template', 'depth'],
  properties: {
    template: { const: 'resnet' },
    ...TRANSFER,
    depth: { enum: [...RESNET_DEPTHS] },
    outputActivation: component(`Activation of the output layer fc (default ${TEMPLATE_DEFAULTS.outputActivation})`, ACTIVATION_NAMES),
  },
};

/** A layer of a list: { type, ...fields }, or a use of a block { block, name, inputs, ...parameters }. */
const LAYER_ENTRY: Schema = {
  type: 'object',
  anyOf: [{ required: ['type'] }, { required: ['block'] }],
  properties: {
    type: { type: 'string', examples: [...LAYER_TYPES] },
    block: { type: 'string', description: 'A block of model.blocks: its layers, named <name>.<layer>, with this entry\'s parameter values.' },
    name: { type: 'string', description: 'The layer\'s name (its weights are <name>.weight in a graph model); default <type>_<n>.' },
    inputs: {
      description: "The layers this one takes its input from, by name ('input': the model's input); default the entry before. Naming inputs makes a graph model.",
      anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
    },
    units: { type: ['integer', 'string'] },
  },
};

const LAYERS: Schema = {
  description: "The model as a list of layer configs (a stack, or a graph when layers name their inputs); `units: classes` in a dense layer means one unit per class.",
  type: 'object',
  additionalProperties: false,
  required: ['layers'],
  properties: {
    layers: { type: 'array', minItems: 1, items: LAYER_ENTRY },
    ...TRANSFER,
    outputs: { type: 'string', description: "A graph model's output: a layer's (or a block use's) name; default the last layer." },
    blocks: {
      type: 'object',
      description: 'Reusable blocks of layers, used in layers as { block: NAME, name, inputs, ...parameters }; $param values inside take the parameters.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['layers'],
        properties: {
          params: { type: 'object', description: "The block's parameters with their defaults ($name inside its layers)." },
          layers: { type: 'array', minItems: 1, items: LAYER_ENTRY },
          outputs: { type: 'string', description: "The block's output layer; default its last." },
        },
      },
    },
  },
};

const DATA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    dataset: {
      description: `A built-in dataset (${BUILTIN_DATASETS.join(', ')}), { imageFolder: {...} } or { idx: folder of official IDX files }.`,
      type: ['string', 'object'],
      examples: [...BUILTIN_DATASETS],
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        idx: { type: 'string', minLength: 1 },
        imageFolder: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          properties: {
            path: { type: 'string', minLength: 1 },
            size: size('Resize every image to this size.'),
            fit: { enum: ['fill', 'cover', 'contain'] },
            color: { enum: ['rgb', 'grayscale'] },
            skipInvalid: { type: 'boolean' },
            concurrency: int(1),
            cache: { type: 'boolean' },
            cacheDir: { type: 'string', minLength: 1 },
            testSplit: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'A flat folder (no train/ and test/): the share of every class sealed as the test set (default 0.2).' },
          },
        },
      },
    },
    task: {
      description: "'multiclass' (default) or { oneVsRest: class name or index }.",
      ...nameOr(['multiclass'], {
        type: 'object',
        additionalProperties: false,
        required: ['oneVsRest'],
        properties: { oneVsRest: { type: ['string', 'integer'], minimum: 0 } },
      }),
    },
    subset: {
      description: 'Train on part of the training data: some classes, and/or perClass or total samples.',
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        classes: { type: 'array', minItems: 1, items: { type: ['string', 'integer'], minimum: 0 } },
        perClass: int(1),
        total: int(1),
        stratify: { type: 'boolean' },
        take: { enum: ['random', 'first'] },
        seed: int(0),
      },
    },
    split: {
      description: 'The validation split of the training data (default { fraction: 0.2, stratify: true }).',
      type: 'object',
      additionalProperties: false,
      properties: {
        fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        count: int(1),
        take: { enum: ['random', 'last'] },
        stratify: { type: 'boolean' },
        seed: int(0),
      },
    },
    preprocess: {
      description: "'scale' (default: to [0, 1]), 'none', 'standardize' or { name: standardize, per: channel | global }.",
      ...nameOr(['none', 'scale', 'standardize'], {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { enum: ['none', 'scale', 'standardize'] }, per: { enum: ['channel', 'global'] } },
      }),
    },
    augment: {
      description: 'Augmentation steps (a list, or { steps, seed }), or null for none.',
      type: ['array', 'object', 'null'],
      items: { type: ['string', 'object'] },
      additionalProperties: false,
      required: ['steps'],
      properties: { steps: { type: 'array', items: { type: ['string', 'object'] } }, seed: int(0) },
    },
    shuffle: bool('Shuffle the training data every epoch (default true).'),
    flatten: bool('Flatten the samples to vectors before the model (default false; the templates flatten inside the model).'),
    view: {
      enum: ['image', 'sequence'],
      description:
        "How the model sees each image: 'image' (default) as [channels, height, width]; 'sequence' as a sequence of its rows, [height, width·channels] (MNIST: 28 steps of 28 features), for recurrent layers.",
    },
  },
};

const TRAINING: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    optimizer: component(`The optimizer (default ${TRAINING_DEFAULTS.optimizer})`, OPTIMIZER_NAMES),
    loss: component(`The loss (default ${TRAINING_DEFAULTS.loss})`, LOSS_NAMES),
    metrics: { type: 'array', items: component('A metric', METRIC_NAMES), description: `Default [${TRAINING_DEFAULTS.metrics.join(', ')}].` },
    epochs: int(1, `Default ${TRAINING_DEFAULTS.epochs}.`),
    batchSize: int(1, `Default ${TRAINING_DEFAULTS.batchSize}.`),
    device: {
      type: 'string',
      pattern: '^(auto|cpu|cuda(:[0-9]+)?)$',
      description: `Where to train: auto (default${TRAINING_DEFAULTS.device === 'auto' ? ': the first GPU when CUDA is available, else the CPU' : ` ${TRAINING_DEFAULTS.device}`}), cpu, cuda or cuda:N.`,
    },
    callbacks: { type: 'array', items: component('A callback', CALLBACK_NAMES) },
    classWeight: {
      description: "Loss weight per class index, e.g. { 0: 1, 1: 5 }, or 'balanced' (n_samples / (n_classes * count), as scikit-learn).",
      type: ['object', 'string', 'null'],
      if: { type: 'string' },
      then: { const: 'balanced' },
      additionalProperties: false,
      patternProperties: { '^(0|[1-9][0-9]*)$': { type: 'number', minimum: 0 } },
    },
  },
};

/** A factor's values: a list, or named levels (a mapping from a name to the value). */
const FACTOR_VALUES: Schema = {
  description: 'A list of values, or named levels ({ name: value }) whose names the labels show.',
  type: ['array', 'object'],
  minItems: 1,
  minProperties: 1,
};

const STUDY: Schema = {
  description: 'Configurations to compare: each factor is a field path with its values (or { paths, values } setting several fields), crossed or zipped.',
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    mode: { enum: ['cross', 'zip'], description: "'cross' (default): every combination; 'zip': the i-th values together." },
    metric: { type: 'string', description: 'The final metric that ranks the configs (default val.accuracy), e.g. val.precision or val.loss.' },
    direction: { enum: ['max', 'min'], description: 'Whether a higher or a lower metric is better (default: min for losses and errors, else max).' },
    factors: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        if: { type: 'object', required: ['paths'] },
        then: {
          type: 'object',
          additionalProperties: false,
          required: ['paths', 'values'],
          properties: { paths: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, values: FACTOR_VALUES },
        },
        else: {
          if: { type: 'object', required: ['set'] },
          then: {
            type: 'object',
            additionalProperties: false,
            required: ['set'],
            properties: {
              set: {
                description: 'Named levels, each setting fields of its own: { level name: { field path: value, ... } }.',
                type: 'object',
                minProperties: 1,
                additionalProperties: { type: 'object' },
              },
            },
          },
          else: FACTOR_VALUES,
        },
      },
    },
  },
};

/** One parameter of a search space: { type, ... } (checked in full by src/tune/space.ts), or a plain value (fixed). */
const PARAM: Schema = {
  description:
    '{ type: float | int, low, high, log?, step?, when? }, { type: choice, values, when? }, { type: bool, when? }, { type: fixed, value }, or a plain value (fixed).',
  type: ['object', 'string', 'number', 'boolean', 'array', 'null'],
  properties: {
    type: { type: 'string', examples: ['float', 'int', 'choice', 'bool', 'fixed'] },
    low: { type: 'number' },
    high: { type: 'number' },
    log: { type: 'boolean' },
    step: { type: 'number', exclusiveMinimum: 0 },
    values: { type: 'array', minItems: 1 },
    when: { type: 'object', minProperties: 1 },
  },
};

const TUNE: Schema = {
  description: 'A hyper-parameter search: the space of field paths to sample, the objective, the sampler, the pruner and the budget of trials.',
  type: 'object',
  additionalProperties: false,
  required: ['space'],
  properties: {
    objective: {
      description: "The metric each trial is scored by: a name (default val.accuracy) or { metric, direction, reduce: best | last }.",
      type: ['string', 'object'],
      additionalProperties: false,
      properties: { metric: { type: 'string' }, direction: { enum: ['max', 'min'] }, reduce: { enum: ['best', 'last'] } },
    },
    sampler: component('The sampler (default tpe)', SAMPLER_NAMES),
    pruner: component('The pruner (default none)', PRUNER_NAMES),
    trials: int(1, "The study's total number of trials (default 10)."),
    timeoutS: { type: 'number', exclusiveMinimum: 0, description: 'Start no new trial after this many seconds (default none).' },
    executionsPerTrial: { type: 'integer', minimum: 1, maximum: 100, description: "Runs per trial with seeds seed, seed + 1, ...; the trial's value is their mean (default 1)." },
    seed: int(0, "Seeds the sampler's suggestions (default: the experiment's seed)."),
    space: { type: 'object', minProperties: 1, description: 'Field path -> parameter.', additionalProperties: PARAM },
  },
};

export const EXPERIMENT_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'nnlab experiment',
  description: 'One experiment: data, model, training, and optionally a study comparing configurations (see src/lab/experiment/experiment.ts).',
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    description: { type: ['string', 'null'] },
    seed: int(0, 'Seeds libtorch, the splits and the shuffles; repeat r runs with seed + r (default 0).'),
    repeats: { type: 'integer', minimum: 1, maximum: 1000, description: 'Runs per configuration (default 1).' },
    data: ref('data'),
    model: ref('model'),
    training: ref('training'),
    evaluateTest: {
      description:
        "Evaluate on the sealed test set, once per run (default false): true = the runs of a single config, or in a study only those of the config chosen on validation ('best'); 'all' = every run.",
      type: ['boolean', 'string'],
      if: { type: 'string' },
      then: { enum: ['best', 'all'] },
    },
    study: ref('study'),
    tune: ref('tune'),
    plugins: {
      description:
        'ES modules (.js) that register layers, losses and metrics (registerLayer, registerLoss, registerMetric), loaded before the file\'s names are checked; paths relative to this file (default none).',
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', minLength: 1 },
    },
    baselines: {
      description: 'Classification baselines scored on the same splits (default none).',
      type: 'array',
      uniqueItems: true,
      items: { enum: ['majority', 'uniform', 'constant'] },
    },
  },
  definitions: {
    data: DATA,
    model: {
      description: 'A template ({ template: mlp | cnn | resnet, ... }) or a list of layers ({ layers: [...] }).',
      type: 'object',
      if: { required: ['template'] },
      then: { if: { properties: { template: { const: 'cnn' } } }, then: ref('cnn'), else: { if: { properties: { template: { const: 'resnet' } } }, then: ref('resnet'), else: ref('mlp') } },
      else: ref('layers'),
    },
    mlp: MLP,
    cnn: CNN,
    resnet: RESNET,
    layers: LAYERS,
    training: TRAINING,
    study: STUDY,
    tune: TUNE,
  },
};
