# B2/B3 peer: the seed CNN (5 x [conv without bias, batch norm, ReLU, maxpool 2], linear) on 3x128x128 images,
# batch 64, SGD 0.1: training images/s over `batches` batches after one warm-up batch, then evaluation images/s.
import time
import torch
import torch.nn.functional as F
from common import args, seed_cnn, report

a = args()
torch.set_num_threads(a.get('intraOp', 2))
torch.manual_seed(0)
n, bs = a['batches'] * 64, 64
dev = torch.device(a.get('device', 'cpu'))
x = torch.rand(n, 3, 128, 128)
y = torch.randint(0, 2, (n,))
if dev.type == 'cuda':
    x, y = x.pin_memory(), y.pin_memory()
on = lambda t: t.to(dev, non_blocking=True)
model = seed_cnn().to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
def step(xb, yb):
    opt.zero_grad()
    xb, yb = on(xb.pin_memory() if dev.type == 'cuda' and not xb.is_pinned() else xb), on(yb)
    out = model(xb)
    loss = F.cross_entropy(out, yb)
    loss.backward()
    opt.step()
    return loss.item(), (out.argmax(1) == yb).sum().item()
step(x[:bs], y[:bs])
t0 = time.perf_counter()
perm = torch.randperm(n)
for s in range(0, n, bs):
    idx = perm[s:s + bs]
    step(x[idx], y[idx])
train_s = time.perf_counter() - t0
model.eval()
t0 = time.perf_counter()
with torch.no_grad():
    for s in range(0, n, bs):
        xb, yb = on(x[s:s + bs]), on(y[s:s + bs])
        out = model(xb)
        F.cross_entropy(out, yb).item()
        (out.argmax(1) == yb).sum().item()
eval_s = time.perf_counter() - t0
report({'trainSamplesPerS': n / train_s, 'evalSamplesPerS': n / eval_s})
