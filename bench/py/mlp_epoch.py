# B1/B3 peer: one epoch of the 784-800-10 MLP with Adam 0.00168, batch 256, on 50,000 MNIST images, written as a
# PyTorch user writes it (shuffled index batches, loss.item() and accuracy every batch), then evaluation on the
# 10,000 test images.
import time
import torch
import torch.nn.functional as F
from common import args, mnist, mlp, report

a = args()
torch.set_num_threads(a.get('intraOp', 1))
dev = torch.device(a.get('device', 'cpu'))
if a.get('synthetic'):  # random images of MNIST's shape (the GPU check has no MNIST package)
    torch.manual_seed(1)
    x, y, xt, yt = torch.rand(50000, 784), torch.randint(0, 10, (50000,)), torch.rand(10000, 784), torch.randint(0, 10, (10000,))
else:
    x, y = mnist('train', 50000)
    xt, yt = mnist('test')
if dev.type == 'cuda':  # data stays on the host, batches go over from pinned memory, as nnlab does
    x, y, xt, yt = x.pin_memory(), y.pin_memory(), xt.pin_memory(), yt.pin_memory()
torch.manual_seed(0)
model = mlp().to(dev)
on = lambda t: t.to(dev, non_blocking=True)
opt = torch.optim.Adam(model.parameters(), lr=0.00168)
bs = 256
t0 = time.perf_counter()
perm = torch.randperm(x.shape[0])
loss_sum, correct = 0.0, 0
for s in range(0, x.shape[0], bs):
    idx = perm[s:s + bs]
    xb, yb = on(x[idx].pin_memory() if dev.type == 'cuda' else x[idx]), on(y[idx])
    opt.zero_grad()
    out = model(xb)
    loss = F.cross_entropy(out, yb)
    loss.backward()
    opt.step()
    loss_sum += loss.item() * yb.shape[0]
    correct += (out.argmax(1) == yb).sum().item()
train_s = time.perf_counter() - t0
t0 = time.perf_counter()
with torch.no_grad():
    hits, test_loss = 0, 0.0
    for s in range(0, xt.shape[0], 1000):
        xb, yb = on(xt[s:s + 1000]), on(yt[s:s + 1000])
        out = model(xb)
        test_loss += F.cross_entropy(out, yb, reduction='sum').item()
        hits += (out.argmax(1) == yb).sum().item()
eval_s = time.perf_counter() - t0
t0 = time.perf_counter()
with torch.no_grad():
    for s in range(0, xt.shape[0], 32):
        xb, yb = on(xt[s:s + 32]), on(yt[s:s + 32])
        out = model(xb)
        F.cross_entropy(out, yb, reduction='sum').item()
        (out.argmax(1) == yb).sum().item()
eval32_s = time.perf_counter() - t0
report({'trainSamplesPerS': 50000 / train_s, 'evalSamplesPerS': 10000 / eval_s, 'eval32SamplesPerS': 10000 / eval32_s, 'trainAccuracy': correct / 50000, 'testAccuracy': hits / 10000})
