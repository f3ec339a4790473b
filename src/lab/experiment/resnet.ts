// The `resnet` template: residual networks as graph models, named as PyTorch names their modules.
//
//   depth 18 | 34   torchvision's ResNet-18/34 (He et al. 2015, BasicBlock): conv1 7x7/2, bn1, relu, maxpool
//                   3x3/2, layer1..layer4 of [2,2,2,2] or [3,4,6,3] blocks of 64/128/256/512 filters (the first
//                   block of layers 2-4 strides 2, with a 1x1 downsample), global average pooling, fc. The
//                   layers carry torchvision's module names (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0,
//                   fc), so a torchvision state dict saved as safetensors loads unchanged.
//   depth 20 | 32 | 56   the CIFAR ResNets of He et al. (2015, section 4.2): conv 3x3 of 16 filters, 3 stages of
//                   (depth − 2) / 6 blocks of 16/32/64 filters (the first block of stages 2 and 3 strides 2),
//                   global average pooling, fc. Where a stage changes the shape, the shortcut is a 1x1
//                   convolution with batch normalisation (the paper's option B; its CIFAR tables use option A,
//                   zero padding, which has no weights: ResNet-20 here has 0.27M + 0.01M parameters).
//
// Batch normalisation is PyTorch's (momentum 0.1, epsilon 1e-5), convolutions have no bias, and kernels start as
// torchvision starts them (He normal over fan-out); fc has one unit per class (`units: classes`) and ends in
// `outputActivation` (default softmax).
import type { LayerConfig } from '../../nn/layers/layer.js';
import { CLASSES } from './templates.js';

export interface ResnetTemplate {
  template: 'resnet';
  depth: 18 | 34 | 20 | 32 | 56;
  outputActivation?: string | Record<string, unknown>;
}

export const RESNET_DEPTHS = [18, 34, 20, 32, 56] as const;

/** torchvision's ResNet: blocks per stage. */
const IMAGENET: Record<number, number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3] };

// PyTorch's batch norm in Keras's terms (momentum 0.1 of the batch = 0.9 of the running value) and its init.
const BN = { type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 };
// torchvision's kaiming_normal_(mode='fan_out', nonlinearity='relu'): normal with variance 2 / fan-out.
const KERNEL = { name: 'varianceScaling', scale: 2, mode: 'fanOut', distribution: 'untruncatedNormal' };

function conv(name: string, filters: number, kernelSize: number, strides: number, padding: number, input: string): LayerConfig {
  return { type: 'conv2d', name, inputs: [input], filters, kernelSize, strides, padding, useBias: false, kernelInitializer: KERNEL };
}

/** One BasicBlock named `at` (e.g. layer2.0) on `input`; returns its layers and its output's name. */
function basicBlock(at: string, input: string, inFilters: number, filters: number, strides: number): { layers: LayerConfig[]; output: string } {
  const layers: LayerConfig[] = [
    conv(`${at}.conv1`, filters, 3, strides, 1, input),
    { ...BN, name: `${at}.bn1`, inputs: [`${at}.conv1`] },
    { type: 'activation', name: `${at}.relu`, inputs: [`${at}.bn1`], activation: 'relu' },
    conv(`${at}.conv2`, filters, 3, 1, 1, `${at}.relu`),
    { ...BN, name: `${at}.bn2`, inputs: [`${at}.conv2`] },
  ];
  let shortcut = input;
  if (strides !== 1 || inFilters !== filters) {
    layers.push(conv(`${at}.downsample.0`, filters, 1, strides, 0, input), { ...BN, name: `${at}.downsample.1`, inputs: [`${at}.downsample.0`] });
    shortcut = `${at}.downsample.1`;
  }
  layers.push(
    { type: 'add', name: `${at}.add`, inputs: [`${at}.bn2`, shortcut] },
    { type: 'activation', name: `${at}.out`, inputs: [`${at}.add`], activation: 'relu' },
  );
  return { layers, output: `${at}.out` };
}

/** The layers of a ResNet template, as a graph model's layer list. */
export function expandResnet(m: ResnetTemplate): LayerConfig[] {
  const imagenet = IMAGENET[m.depth];
  const stages = imagenet ?? Array(3).fill((m.depth - 2) / 6);
  const widths = imagenet ? [64, 128, 256, 512] : [16, 32, 64];
  const layers: LayerConfig[] = imagenet
    ? [
        conv('conv1', 64, 7, 2, 3, 'input'),
        { ...BN, name: 'bn1', inputs: ['conv1'] },
        { type: 'activation', name: 'relu', inputs: ['bn1'], activation: 'relu' },
        { type: 'maxPool2d', name: 'maxpool', inputs: ['relu'], poolSize: 3, strides: 2, padding: 1 },
      ]
    : [conv('conv1', 16, 3, 1, 1, 'input'), { ...BN, name: 'bn1', inputs: ['conv1'] }, { type: 'activation', name: 'relu', inputs: ['bn1'], activation: 'relu' }];
  let previous = layers[layers.length - 1].name as string;
  let inFilters = widths[0];
  stages.forEach((blocks: number, s: number) => {
    for (let b = 0; b < blocks; b++) {
      const block = basicBlock(`layer${s + 1}.${b}`, previous, inFilters, widths[s], s > 0 && b === 0 ? 2 : 1);
      layers.push(...block.layers);
      previous = block.output;
      inFilters = widths[s];
    }
  });
  layers.push(
    { type: 'globalAveragePooling2d', name: 'avgpool', inputs: [previous] },
    { type: 'dense', name: 'fc', inputs: ['avgpool'], units: CLASSES, activation: m.outputActivation ?? 'softmax' },
  );
  return layers;
}
