# Per-call cost of torch.add on tiny tensors from Python: the peer of bench/op-overhead.ts.
import json, sys, time
import torch

args = json.loads(sys.argv[1])
torch.set_num_threads(1)
a = torch.full((4,), 0.5)
b = torch.full((4,), 0.25)
n = args["calls"]
runs = []
for _ in range(args["repeats"]):
    t0 = time.perf_counter()
    for _ in range(n):
        c = torch.add(a, b)
    runs.append((time.perf_counter() - t0) / n)
runs.sort()
print(json.dumps({"perCallS": runs[len(runs) // 2], "torch": torch.__version__}))
