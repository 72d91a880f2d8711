"""PyTorch twin of the synthetic benchmark's SPNet model, for bench-synthetic-model.ts.

synthetic-net (conv3x3 s2 3→w, conv3x3 w→w, conv3x3 s2 w→2w, conv3x3 2w→2w, each BN+ReLU) → ASPP-lite (3×3
branches with dilation 1/2/4, BN+ReLU, concatenated; 1×1 to 4w, BN+ReLU) → 1×1 to 300 → scores against 20 fixed
unit embeddings → bilinear (half-pixel) to the input size → cross-entropy over the 15 seen classes with ignore
255 → Adam. Prints one JSON line: median train-step and inference ms over --reps for the given thread count.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SEEN = [c for c in range(20) if c not in (0, 5, 10, 15, 17)]


def cbr(cin, cout, k=3, stride=1, dilation=1):
    pad = dilation * (k - 1) // 2
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, dilation), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Net(nn.Module):
    def __init__(self, w=32, dim=300):
        super().__init__()
        self.backbone = nn.Sequential(cbr(3, w, stride=2), cbr(w, w), cbr(w, 2 * w, stride=2), cbr(2 * w, 2 * w))
        self.branches = nn.ModuleList([cbr(2 * w, 2 * w, dilation=d) for d in (1, 2, 4)])
        self.fuse = cbr(6 * w, 4 * w, k=1)
        self.project = nn.Conv2d(4 * w, dim, 1)
        emb = F.normalize(torch.randn(20, dim), dim=1)
        self.register_buffer('emb', emb)

    def forward(self, x, classes):
        f = self.backbone(x)
        f = self.fuse(torch.cat([b(f) for b in self.branches], 1))
        f = self.project(f)
        s = torch.einsum('nchw,kc->nkhw', f, self.emb[classes])
        return F.interpolate(s, size=x.shape[2:], mode='bilinear', align_corners=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reps', type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
    x = torch.randn(16, 3, 64, 64)
    idx = torch.arange(16 * 64 * 64)
    labels = torch.where(idx % 5 == 0, torch.tensor(255), idx % len(SEEN)).reshape(16, 64, 64)
    seen = torch.tensor(SEEN)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x, seen), labels, ignore_index=255)
        loss.backward()
        opt.step()
        return loss.item()

    def infer():
        with torch.no_grad():
            net.eval()
            net(x, torch.arange(20)).sum().item()
            net.train()

    def timed(fn):
        for _ in range(2):
            fn()
        ts = []
        for _ in range(a.reps):
            t = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t) * 1000)
        return sorted(ts)[len(ts) // 2]

    print(json.dumps({'threads': a.threads, 'train_ms': timed(step), 'infer_ms': timed(infer)}))


if __name__ == '__main__':
    main()
