"""PyTorch twin of bench/engine/reference-model.ts, timed the same way (ms of each training step and inference
forward, all samples). Prints one JSON object. Usage: python3 reference_model.py THREADS REPS BATCH SIZE"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride=1, dilation=1):
    pad = dilation * (k - 1) // 2
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, dilation, bias=False), nn.BatchNorm2d(cout))


class ReferenceNet(nn.Module):
    def __init__(self, embeddings):
        super().__init__()
        self.stem1 = conv_bn(3, 32, 3, 2)
        self.stem2 = conv_bn(32, 32, 3)
        self.low = conv_bn(32, 64, 3, 2)
        self.res1 = conv_bn(64, 64, 3)
        self.res2 = conv_bn(64, 64, 3)
        self.down = conv_bn(64, 128, 3, 2)
        self.dil2 = conv_bn(128, 128, 3, 1, 2)
        self.aspp1 = conv_bn(128, 64, 1)
        self.aspp6 = conv_bn(128, 64, 3, 1, 6)
        self.aspp12 = conv_bn(128, 64, 3, 1, 12)
        self.aspp_pool = conv_bn(128, 64, 1)
        self.aspp_project = conv_bn(256, 128, 1)
        self.low_reduce = conv_bn(64, 32, 1)
        self.decoder = conv_bn(160, 64, 3)
        self.embed = nn.Conv2d(64, 300, 1)
        self.register_buffer('embeddings', embeddings)  # [300, 21], fixed

    def forward(self, x):
        h, w = x.shape[2:]
        r = F.relu
        x = r(self.stem1(x))
        x = r(self.stem2(x))
        low = r(self.low(x))
        x = r(low + self.res2(r(self.res1(low))))
        x = r(self.down(x))
        x = r(self.dil2(x))
        ah, aw = x.shape[2:]
        pooled = r(self.aspp_pool(x.mean((2, 3), keepdim=True))).expand(-1, -1, ah, aw)
        x = torch.cat([r(self.aspp1(x)), r(self.aspp6(x)), r(self.aspp12(x)), pooled], 1)
        x = r(self.aspp_project(x))
        x = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
        x = torch.cat([x, r(self.low_reduce(low))], 1)
        x = r(self.decoder(x))
        e = self.embed(x)
        scores = torch.einsum('nchw,ck->nkhw', e, self.embeddings)
        scores = F.interpolate(scores, size=(h, w), mode='bilinear', align_corners=False)
        return F.log_softmax(scores, 1)


def samples_ms(fn, reps, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def main():
    threads, reps, batch, size = (int(v) for v in sys.argv[1:5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    emb = torch.randn(300, 21)
    emb = emb / emb.norm(dim=0, keepdim=True)
    net = ReferenceNet(emb)
    images = torch.randn(batch, 3, size, size)
    labels = torch.randint(0, 21, (batch, size, size))
    labels[torch.rand(batch, size, size) < 0.1] = 255
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def train_step():
        opt.zero_grad()
        loss = F.nll_loss(net(images), labels, ignore_index=255)
        loss.backward()
        opt.step()

    net.train()
    train = samples_ms(train_step, reps)
    net.eval()

    def infer():
        with torch.no_grad():
            net(images)

    infer_ms = samples_ms(infer, reps)
    print(json.dumps({'torch': torch.__version__, 'threads': threads, 'train_ms': train, 'infer_ms': infer_ms}))


if __name__ == '__main__':
    main()
