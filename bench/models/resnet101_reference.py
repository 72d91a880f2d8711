"""PyTorch 1.13 reference for bench-resnet101.ts: one SGD training step of the paper's SPNet network.

The net (written out here; torchvision is not installed, and its ResNet strides in the 3×3):
- DeepLab-v2 ResNet-101 trunk: Caffe stem (7×7/2 conv, frozen BN, ReLU, 3×3/2 max-pool with ceil_mode), bottlenecks
  [3, 4, 23, 3] that stride in their FIRST 1×1 (Caffe/MSRA), output stride 8 (layer3 dilation 2, layer4 dilation 4,
  every block of a dilated stage dilated, no stride there), projection shortcuts where shape changes; batch norm
  frozen (eval mode, weight/bias requires_grad False), exactly as zls's `resnet` backbone with caffeStem/frozenBn;
- ASPP-v2 projection: SUM of four 3×3 convs 2048→600 with bias, dilation = padding = 6/12/18/24;
- scores against fixed unit-norm class embeddings of the 15 seen classes (of 20), bilinear upsampling to the crop
  (align_corners=False, zls's default half-pixel), cross-entropy with ignore_index=255;
- SGD momentum 0.9, weight decay 5e-4, DeepLab's groups: backbone ×1, head weights ×10, head biases ×20 without
  weight decay.
Initialisation as zls: He-normal (fan-in) convs, BN γ=1 β=0 mean 0 var 1, head N(0, 0.01) with zero bias; then
every bottleneck's last BN γ is set to `--bn3-gamma` (default 0.2; bench-resnet101.ts does the same to zls's model)
so that 33 un-normalised residual additions do not blow the activations up and the losses stay finite.

Variants (each in its own process, so each peak RSS is its own; the fastest is named in the output):
- `plain`: NCHW, the 600-d map, scores = einsum with the embeddings;
- `channels_last`: the same with channels_last activations and weights;
- `fused`: the embeddings folded into each ASPP branch (weight E·W_i, bias E·Σb_i, computed every step from the
  trained W_i, b_i), so the 600-d map is never formed — the same function and the same gradients for W_i, b_i;
- `fused+channels_last`.
ReLUs are in place. One warm-up step, then the median of --reps steps.

Usage: /usr/bin/python3 bench/models/resnet101_reference.py --batch 2 --size 321 --reps 2 [--threads 2]
prints one JSON line {torch, threads, batch, size, variants: {name: {s_per_step, peak_rss_kb, losses, ...}},
fastest, s_per_step}.
"""
import argparse
import json
import math
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VARIANTS = ('plain', 'channels_last', 'fused', 'fused+channels_last')
CLASSES = 20
SEEN = [c for c in range(CLASSES) if c not in (0, 5, 10, 15, 17)]


def frozen_bn(channels):
    bn = nn.BatchNorm2d(channels)
    for p in bn.parameters():
        p.requires_grad_(False)
    return bn


def he_conv(cin, cout, k, stride=1, dilation=1, padding=None):
    conv = nn.Conv2d(cin, cout, k, stride, dilation * (k - 1) // 2 if padding is None else padding, dilation, bias=False)
    nn.init.normal_(conv.weight, 0.0, math.sqrt(2.0 / (k * k * cin)))
    return conv


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride, dilation):
        super().__init__()
        self.conv1, self.bn1 = he_conv(cin, planes, 1, stride=stride), frozen_bn(planes)  # Caffe: stride in the 1×1
        self.conv2, self.bn2 = he_conv(planes, planes, 3, dilation=dilation), frozen_bn(planes)
        self.conv3, self.bn3 = he_conv(planes, planes * 4, 1), frozen_bn(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != planes * 4:
            self.downsample = nn.Sequential(he_conv(cin, planes * 4, 1, stride=stride), frozen_bn(planes * 4))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class DeepLabResNet101(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = he_conv(3, 64, 7, stride=2, padding=3), frozen_bn(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1, ceil_mode=True)
        cin, layers = 64, []
        for stage, (count, stride, dilation) in enumerate(zip((3, 4, 23, 3), (1, 2, 1, 1), (1, 1, 2, 4))):
            planes = 64 * 2 ** stage
            blocks = []
            for i in range(count):
                blocks.append(Bottleneck(cin, planes, stride if i == 0 else 1, dilation))
                cin = planes * 4
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = layers

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class SPNet(nn.Module):
    def __init__(self, fused, rates=(6, 12, 18, 24), dim=600):
        super().__init__()
        self.fused = fused
        self.backbone = DeepLabResNet101()
        self.branches = nn.ModuleList([nn.Conv2d(2048, dim, 3, 1, r, r, bias=True) for r in rates])
        for b in self.branches:
            nn.init.normal_(b.weight, 0.0, 0.01)
            nn.init.zeros_(b.bias)
        self.register_buffer('emb', F.normalize(torch.randn(CLASSES, dim), dim=1))

    def train(self, mode=True):
        super().train(mode)
        for m in self.modules():  # frozen BN: always the running statistics
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self

    def forward(self, x, classes):
        f = self.backbone(x)
        e = self.emb[classes]
        if self.fused:
            s = None
            for b in self.branches:
                w = (e @ b.weight.flatten(1)).reshape(len(classes), *b.weight.shape[1:])
                y = F.conv2d(f, w, None, 1, b.padding, b.dilation)
                s = y if s is None else s + y
            s = s + (e @ sum(b.bias for b in self.branches)).reshape(1, -1, 1, 1)
        else:
            p = self.branches[0](f)
            for b in self.branches[1:]:
                p = p + b(f)
            s = torch.einsum('nchw,kc->nkhw', p, e)
        return F.interpolate(s, size=x.shape[2:], mode='bilinear', align_corners=False)


def run_variant(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    fused, channels_last = a.variant.startswith('fused'), a.variant.endswith('channels_last')
    net = SPNet(fused)
    for m in net.backbone.modules():
        if isinstance(m, Bottleneck):
            m.bn3.weight.data.fill_(a.bn3_gamma)
    net.train()
    x = torch.randn(a.batch, 3, a.size, a.size)
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    idx = torch.arange(a.batch * a.size * a.size)
    labels = torch.where(idx % 5 == 0, torch.tensor(255), idx % len(SEEN)).reshape(a.batch, a.size, a.size)
    seen = torch.tensor(SEEN)
    backbone = [p for p in net.backbone.parameters() if p.requires_grad]
    head_w = [b.weight for b in net.branches]
    head_b = [b.bias for b in net.branches]
    opt = torch.optim.SGD([
        {'params': backbone, 'lr': a.lr, 'weight_decay': 5e-4},
        {'params': head_w, 'lr': 10 * a.lr, 'weight_decay': 5e-4},
        {'params': head_b, 'lr': 20 * a.lr, 'weight_decay': 0.0},
    ], lr=a.lr, momentum=0.9)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x, seen), labels, ignore_index=255)
        loss.backward()
        opt.step()
        return loss.item()

    setup = time.perf_counter() - t0
    losses, times = [], []
    for i in range(1 + a.reps):
        t = time.perf_counter()
        losses.append(step())
        if i > 0:
            times.append(time.perf_counter() - t)
    return {
        's_per_step': sorted(times)[len(times) // 2], 'times': times, 'losses': losses, 'setup_s': setup,
        'peak_rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        'params': sum(p.numel() for p in net.parameters() if p.requires_grad),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reps', type=int, default=2)
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--size', type=int, default=321)
    ap.add_argument('--lr', type=float, default=2.5e-4)
    ap.add_argument('--bn3-gamma', type=float, default=0.2)
    ap.add_argument('--variants', default=','.join(VARIANTS))
    ap.add_argument('--variant', help='run this one variant in this process (what the parent spawns)')
    a = ap.parse_args()
    if a.variant:
        print(json.dumps(run_variant(a)))
        return
    common = ['--threads', str(a.threads), '--reps', str(a.reps), '--batch', str(a.batch), '--size', str(a.size),
              '--lr', repr(a.lr), '--bn3-gamma', repr(a.bn3_gamma)]
    variants = {}
    for name in a.variants.split(','):
        p = subprocess.run([sys.executable, __file__, '--variant', name] + common, capture_output=True, text=True)
        if p.returncode != 0:
            variants[name] = {'error': f'exit {p.returncode}: {p.stderr.strip().splitlines()[-1:] or ""}'}
            continue
        variants[name] = json.loads(p.stdout.strip().splitlines()[-1])
    ok = [k for k in variants if 'error' not in variants[k]]
    fastest = min(ok, key=lambda k: variants[k]['s_per_step']) if ok else None
    print(json.dumps({
        'torch': torch.__version__, 'threads': a.threads, 'batch': a.batch, 'size': a.size, 'reps': a.reps,
        'variants': variants, 'fastest': fastest, 's_per_step': variants[fastest]['s_per_step'] if fastest else None,
    }))


if __name__ == '__main__':
    main()
