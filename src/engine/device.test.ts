// Which device a training config's `device` means, on machines with and without GPUs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './errors.js';
import { cudaInfo, resolveDevice } from './device.js';

const none = { available: false, deviceCount: 0, cudnn: false };
const one = { available: true, deviceCount: 1, cudnn: true };
const two = { available: true, deviceCount: 2, cudnn: true };

test('auto takes the first GPU where there is one, else the CPU; cuda means cuda:0', () => {
  assert.equal(resolveDevice('auto', 'd', none), 'cpu');
  assert.equal(resolveDevice('auto', 'd', one), 'cuda:0');
  assert.equal(resolveDevice('cpu', 'd', two), 'cpu');
  assert.equal(resolveDevice('cuda', 'd', two), 'cuda:0');
  assert.equal(resolveDevice('CUDA:1', 'd', two), 'cuda:1');
  assert.equal(resolveDevice('auto'), cudaInfo().available ? 'cuda:0' : 'cpu', 'on this machine');
});

test('CUDA where there is none, a GPU index past the last, and an unknown name are config errors that say what there is', () => {
  assert.throws(() => resolveDevice('cuda', 'training.device', none), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /training\.device: 'cuda' asks for CUDA, but the libtorch in use has no CUDA device .* use device: cpu, or auto/);
    return true;
  });
  assert.throws(() => resolveDevice('cuda:7', 'training.device', one), /training\.device: 'cuda:7': this machine has 1 GPU \(cuda:0\)/);
  assert.throws(() => resolveDevice('cuda:2', 'training.device', two), /has 2 GPUs \(cuda:0, cuda:1\)/);
  assert.throws(() => resolveDevice('gpu', 'training.device', two), /unknown device 'gpu'; expected one of auto, cpu, cuda, cuda:N/);
});
