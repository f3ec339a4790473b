// The sampler conformance suite (src/testing/sampler-conformance.ts) for every sampler in the registry: random; grid in its fixed
// order and shuffled (on discrete spaces: a grid takes no float without a step, and ends); tpe independent and
// multivariate. A new sampler adds its line here.
import { samplerConformance } from '../../testing/sampler-conformance.js';

samplerConformance('random');
samplerConformance('grid', { discreteOnly: true, finite: true, seedFree: true });
samplerConformance({ name: 'grid', shuffle: true }, { discreteOnly: true, finite: true });
samplerConformance('tpe');
samplerConformance({ name: 'tpe', multivariate: true });
samplerConformance({ name: 'tpe', constantLiar: false, considerPrior: false, considerEndpoints: true, startupTrials: 3 });
samplerConformance({ name: 'gp', initialPoints: 5 }); // few random trials, so the 30-trial loops run the GP
