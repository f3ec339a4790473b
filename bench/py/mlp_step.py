# One training step of the 784-800-10 ReLU MLP with Adam, batch 256, in PyTorch: the peer of bench/mlp-step.ts.
import json, sys, time
import torch
import torch.nn.functional as F

args = json.loads(sys.argv[1])
torch.set_num_threads(args["intraOp"])
torch.manual_seed(0)
batch = args["batch"]
model = torch.nn.Sequential(torch.nn.Linear(784, 800), torch.nn.ReLU(), torch.nn.Linear(800, 10))
opt = torch.optim.Adam(model.parameters(), lr=args["lr"])
x = torch.rand(batch, 784)
y = torch.randint(0, 10, (batch,))

def step():
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()

for _ in range(args["warmup"]):
    step()
runs = []
for _ in range(args["repeats"]):
    t0 = time.perf_counter()
    for _ in range(args["steps"]):
        step()
    runs.append(args["steps"] * batch / (time.perf_counter() - t0))
runs.sort()
print(json.dumps({"samplesPerS": runs[len(runs) // 2], "threads": torch.get_num_threads()}))
