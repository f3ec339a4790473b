# Loader figures, PyTorch side: a DataLoader over the same MNIST tensors (batch 256, shuffled), without and with
# the same augmentation applied to each batch with tensor ops (rotation up to 15 degrees, horizontal flip).
import math, time
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from common import args, mnist, report

a = args()
torch.set_num_threads(a.get('intraOp', 1))
x, y = mnist('train')
x = x.reshape(-1, 1, 28, 28)
loader = DataLoader(TensorDataset(x, y), batch_size=256, shuffle=True)

def augment(xb):
    n = xb.shape[0]
    angle = (torch.rand(n) * 2 - 1) * math.radians(15)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, torch.zeros(n)], 1), torch.stack([sin, cos, torch.zeros(n)], 1)], 1)
    grid = F.affine_grid(theta, list(xb.shape), align_corners=False)
    out = F.grid_sample(xb, grid, align_corners=False)
    flip = torch.rand(n) < 0.5
    out[flip] = out[flip].flip(-1)
    return out

def timed(epochs, aug):
    t0, batches = time.perf_counter(), 0
    for _ in range(epochs):
        for xb, yb in loader:
            if aug:
                xb = augment(xb)
            batches += 1
    return batches / (time.perf_counter() - t0)

report({'batchesPerS': timed(1, False), 'augmentedBatchesPerS': timed(1, True)})
