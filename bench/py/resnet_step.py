# B6 peer: the ResNets of nnlab's `resnet` template as a PyTorch user writes them. Depth 20: the CIFAR ResNet of
# He et al. written out below (3x3 convolutions without bias, BatchNorm2d with PyTorch's defaults, a 1x1
# convolution + batch norm shortcut where the shape changes, global average pooling, Linear), with torchvision's
# module names; depth 18: torchvision.models.resnet18(num_classes=10). Random images of `size` x `size`, batch
# 128, SGD 0.1 with momentum 0.9: training images/s over `batches` batches after one warm-up batch, then
# evaluation images/s on the same images. Also prints the state dict's names and shapes (the bench checks they
# are nnlab's).
import time
import torch
import torch.nn as nn
import torch.nn.functional as F
from common import args, report


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class CifarResNet(nn.Module):
    """ResNet-(6n+2) for 32x32 images: 16/32/64 filters, n blocks a stage."""

    def __init__(self, depth=20, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        planes = 16
        for s, width in enumerate([16, 32, 64]):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(planes, width, 2 if s > 0 and b == 0 else 1))
                planes = width
            setattr(self, f'layer{s + 1}', nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def build(depth):
    if depth == 18:
        import torchvision
        return torchvision.models.resnet18(num_classes=10)
    return CifarResNet(depth)


if __name__ == '__main__':
    a = args()
    torch.set_num_threads(a.get('intraOp', 2))
    torch.manual_seed(0)
    size, bs = a.get('size', 32), a.get('batch', 128)
    n = a.get('batches', 8) * bs
    dev = torch.device(a.get('device', 'cpu'))
    x = torch.rand(n, 3, size, size)
    y = torch.randint(0, 10, (n,))
    if dev.type == 'cuda':
        x, y = x.pin_memory(), y.pin_memory()
    on = lambda t: t.to(dev, non_blocking=True)
    model = build(a.get('depth', 20)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step(xb, yb):
        opt.zero_grad()
        xb, yb = on(xb.pin_memory() if dev.type == 'cuda' and not xb.is_pinned() else xb), on(yb)
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        return loss.item(), (out.argmax(1) == yb).sum().item()

    model.train()
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
    report({
        'trainSamplesPerS': n / train_s,
        'evalSamplesPerS': n / eval_s,
        'params': sum(p.numel() for p in model.parameters() if p.requires_grad),
        'stateDict': {k: list(v.shape) for k, v in model.state_dict().items()},
    })
