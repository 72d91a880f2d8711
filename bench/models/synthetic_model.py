"""The fastest plain PyTorch we can write for the main job's SPNet training step, for bench-synthetic-model.ts.

The net: synthetic-net (conv3x3 s2 3→w, conv3x3 w→w, conv3x3 s2 w→2w, conv3x3 2w→2w, each BN+ReLU) → ASPP-lite
(3×3 branches with dilation 1/2/4, BN+ReLU, concatenated; 1×1 to 4w, BN+ReLU) → 1×1 to 300 → scores against fixed
unit class embeddings → bilinear upsampling to the input → cross-entropy over the seen classes (ignore 255) →
Adam. The main job's geometry: 65-px inputs, corner-aligned upsampling, batch 16.

Variants tried (each timed; the fastest is the reference and is named in the output):
- `einsum`: the projection to 300-d, then scores = einsum with the embeddings (the model as written);
- `fused`: scores as one 1×1 convolution with weight E·W and bias E·b (synthetic-benchmark.md §2), computed each
  step from the trained W, b, so the 300-d feature map is never formed;
- each of those with `channels_last` activations.
ReLUs are in place in every variant. Prints one JSON line: every variant's median ms and the winner.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def cbr(cin, cout, k=3, stride=1, dilation=1):
    pad = dilation * (k - 1) // 2
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, dilation, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Net(nn.Module):
    def __init__(self, fused, w=32, dim=300, classes=20):
        super().__init__()
        self.fused = fused
        self.backbone = nn.Sequential(cbr(3, w, stride=2), cbr(w, w), cbr(w, 2 * w, stride=2), cbr(2 * w, 2 * w))
        self.branches = nn.ModuleList([cbr(2 * w, 2 * w, dilation=d) for d in (1, 2, 4)])
        self.fuse = cbr(6 * w, 4 * w, k=1)
        self.project = nn.Conv2d(4 * w, dim, 1)
        self.register_buffer('emb', F.normalize(torch.randn(classes, dim), dim=1))

    def forward(self, x, classes):
        f = self.backbone(x)
        f = self.fuse(torch.cat([b(f) for b in self.branches], 1))
        e = self.emb[classes]
        if self.fused:
            weight = (e @ self.project.weight.flatten(1)).reshape(len(classes), -1, 1, 1)
            s = F.conv2d(f, weight, e @ self.project.bias)
        else:
            s = torch.einsum('nchw,kc->nkhw', self.project(f), e)
        return F.interpolate(s, size=x.shape[2:], mode='bilinear', align_corners=True)


def timed(fn, reps, device):
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    for _ in range(3):
        fn()
    ts = []
    for _ in range(reps):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[len(ts) // 2]


def measure(fused, channels_last, reps, batch, size, seen, device='cpu'):
    torch.manual_seed(0)
    net = Net(fused).to(device)
    x = torch.randn(batch, 3, size, size, device=device)
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
    idx = torch.arange(batch * size * size)
    labels = torch.where(idx % 5 == 0, torch.tensor(255), idx % len(seen)).reshape(batch, size, size).to(device)
    seen_t = torch.tensor(seen, device=device)
    all_t = torch.arange(20, device=device)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x, seen_t), labels, ignore_index=255)
        loss.backward()
        opt.step()
        return loss.item()

    def infer():
        net.eval()
        with torch.no_grad():
            net(x, all_t).sum().item()
        net.train()

    return timed(step, reps, device), timed(infer, reps, device)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reps', type=int, default=10)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--size', type=int, default=65)
    ap.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    a = ap.parse_args()
    if a.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('torch has no CUDA device here')
    torch.set_num_threads(a.threads)
    seen = [c for c in range(20) if c not in (0, 5, 10, 15, 17)]
    variants = {}
    for fused in (False, True):
        for channels_last in (False, True):
            name = ('fused' if fused else 'einsum') + ('+channels_last' if channels_last else '')
            train_ms, infer_ms = measure(fused, channels_last, a.reps, a.batch, a.size, seen, a.device)
            variants[name] = {'train_ms': train_ms, 'infer_ms': infer_ms}
    best_train = min(variants, key=lambda k: variants[k]['train_ms'])
    best_infer = min(variants, key=lambda k: variants[k]['infer_ms'])
    print(json.dumps({
        'threads': a.threads, 'device': a.device, 'torch': torch.__version__, 'variants': variants,
        'train_ms': variants[best_train]['train_ms'], 'train_variant': best_train,
        'infer_ms': variants[best_infer]['infer_ms'], 'infer_variant': best_infer,
    }))


if __name__ == '__main__':
    main()
