# B7 peer: sequential MNIST (each image as 28 steps of 28 pixels) through nn.LSTM(28, 128, batch_first=True) and
# nn.Linear(128, 10) on the last hidden state, Adam 0.001, batch 128, written as a PyTorch user writes it (shuffled
# index batches, loss.item() and accuracy every batch): one epoch on the first `n` training images after a
# one-batch warm-up, then evaluation on the 10,000 test images, batch 1000.
import time
import torch
import torch.nn.functional as F
from common import args, mnist, report

a = args()
torch.set_num_threads(a.get('intraOp', 1))
dev = torch.device(a.get('device', 'cpu'))
n = a.get('n', 12800)
if a.get('synthetic'):
    torch.manual_seed(1)
    x, y, xt, yt = torch.rand(n, 784), torch.randint(0, 10, (n,)), torch.rand(10000, 784), torch.randint(0, 10, (10000,))
else:
    x, y = mnist('train', n)
    xt, yt = mnist('test')
x, xt = x.reshape(-1, 28, 28), xt.reshape(-1, 28, 28)
if dev.type == 'cuda':
    x, y, xt, yt = x.pin_memory(), y.pin_memory(), xt.pin_memory(), yt.pin_memory()

class SequenceClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 128, batch_first=True)
        self.out = torch.nn.Linear(128, 10)
    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1])

torch.manual_seed(0)
model = SequenceClassifier().to(dev)
on = lambda t: t.to(dev, non_blocking=True)
opt = torch.optim.Adam(model.parameters(), lr=0.001)
bs = 128
def step(xb, yb):
    xb, yb = on(xb.pin_memory() if dev.type == 'cuda' else xb), on(yb)
    opt.zero_grad()
    out = model(xb)
    loss = F.cross_entropy(out, yb)
    loss.backward()
    opt.step()
    return loss.item() * yb.shape[0], (out.argmax(1) == yb).sum().item()
step(x[:bs], y[:bs])
t0 = time.perf_counter()
perm = torch.randperm(n)
loss_sum, correct = 0.0, 0
for s in range(0, n, bs):
    idx = perm[s:s + bs]
    l, c = step(x[idx], y[idx])
    loss_sum += l
    correct += c
train_s = time.perf_counter() - t0
model.eval()
t0 = time.perf_counter()
with torch.no_grad():
    hits = 0
    for s in range(0, xt.shape[0], 1000):
        xb, yb = on(xt[s:s + 1000]), on(yt[s:s + 1000])
        out = model(xb)
        F.cross_entropy(out, yb, reduction='sum').item()
        hits += (out.argmax(1) == yb).sum().item()
eval_s = time.perf_counter() - t0
report({'trainSamplesPerS': n / train_s, 'evalSamplesPerS': 10000 / eval_s, 'trainAccuracy': correct / n, 'testAccuracy': hits / 10000})
