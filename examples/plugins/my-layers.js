// An nnlab plugin: a layer with a learnable weight, a loss and a metric, registered when nnlab loads the file
// (`plugins: [./plugins/my-layers.js]` in an experiment file, or `nnlab run FILE --plugin ./my-layers.js`). The
// default export is given nnlab (the tensor ops, Layer and the registries), so the file imports nothing and
// works from any folder.
export default function (nnlab) {
  const { Layer, ops, keep, full, readLayer } = nnlab;

  // A learnable scale per feature: y = x · weight, one weight per feature of the last axis (init: its start).
  class Scale extends Layer {
    type = 'scale';
    constructor(config, path) {
      super();
      // Fields read as the built-in layers read theirs: any spelling, a did-you-mean for a typo, defaults.
      this.init = readLayer(config, { init: { type: 'number', default: 1 } }, path, 'scale').init;
    }
    outputShapeFor(input) {
      return input;
    }
    weightShapes(input) {
      return [[input[input.length - 1]]];
    }
    createWeights(input) {
      this.weights.set('weight', keep(full([input[input.length - 1]], this.init)));
    }
    call(x) {
      return ops.mul(x, this.weights.get('weight'));
    }
    fields() {
      return { init: this.init };
    }
  }
  nnlab.registerLayer('scale', Scale);

  // Cross-entropy against label-smoothed targets, from logits: each sample's loss, [N].
  nnlab.registerLoss(
    'smoothedCrossentropy',
    ({ smoothing }) =>
      (yPred, yTrue) => {
        const c = yPred.shape[yPred.rank - 1];
        const target = ops.add(ops.mul(ops.oneHot(yTrue, c).to(yPred.dtype), 1 - smoothing), smoothing / c);
        return ops.neg(ops.sumDim(ops.mul(target, ops.logSoftmax(yPred, -1)), [-1]));
      },
    // fromLogits: true tells predict and the metrics that the model outputs logits.
    { params: { smoothing: { type: 'number', default: 0.1, min: 0, max: 1 }, fromLogits: { type: 'boolean', default: true } } },
  );

  // Whether the true class is among the two highest scores: a value per sample, averaged over the epoch.
  nnlab.registerMetric('top2Accuracy', () => (yPred, yTrue) => {
    const [, top] = ops.topk(yPred, 2, -1);
    return ops.sumDim(ops.eq(top, ops.unsqueeze(yTrue, 1)).to('float32'), [1]);
  });
}
