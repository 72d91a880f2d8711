"""The fastest plain PyTorch we can write for bench/engine/reference-model.ts's net and training step, for
bench-engine.ts.

The net: stem (3×3 s2 3→32, 3×3 32→32), 3×3 s2 32→64 ("low"), a residual block of two 3×3 64→64, 3×3 s2
64→128, 3×3 dilation 2 128→128, ASPP (1×1, 3×3 dilation 6, 3×3 dilation 12, image pooling → 1×1, each 64
channels; concatenated; 1×1 256→128), bilinear ×2 (half-pixel), concatenated with a 1×1 64→32 of "low",
3×3 160→64 decoder, 1×1 projection to 300-d, scores against 21 fixed unit class embeddings, bilinear to the
input size (half-pixel). Batch norm (training mode) + ReLU after every conv but the projection. Loss:
cross-entropy with ignore label 255. SGD, lr 0.01, momentum 0.9 (tfjs' `tf.train.momentum(0.01, 0.9)`).
Inference: eval mode (running statistics), log-softmax output (what the tfjs forward and the ONNX export return).

Variants tried (each timed; the fastest is the reference and is named in the output):
- `einsum`: the projection to 300-d, then scores = einsum with the embeddings (the model as written);
- `fused`: scores as one 1×1 convolution with weight E·W and bias E·b, computed each step from the trained
  projection W, b, so the 300-d feature map is never formed (the training graph does the same rewrite);
- each of those with `channels_last` memory format (model and input).
Every variant: ReLUs in place, `opt.zero_grad(set_to_none=True)`, `F.cross_entropy` on the scores (log-softmax
and NLL in one), inference under `torch.inference_mode()`.

Usage: /usr/bin/python3 reference_model.py THREADS REPS BATCH SIZE [VARIANT,...]
Prints one JSON line:
  {torch, threads, variants: {name: {train_ms, infer_ms (medians), train_samples, infer_samples}},
   train_variant, train_median_ms, infer_variant, infer_median_ms (the winners),
   train_ms, infer_ms (the winners' samples, all reps; what bench-engine.ts has always read)}
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VARIANTS = ('einsum', 'fused', 'einsum+channels_last', 'fused+channels_last')


def cbr(cin, cout, k, stride=1, dilation=1, relu=True):
    pad = dilation * (k - 1) // 2
    layers = [nn.Conv2d(cin, cout, k, stride, pad, dilation, bias=False), nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class ReferenceNet(nn.Module):
    def __init__(self, embeddings, fused):
        super().__init__()
        self.fused = fused
        self.stem1 = cbr(3, 32, 3, 2)
        self.stem2 = cbr(32, 32, 3)
        self.low = cbr(32, 64, 3, 2)
        self.res1 = cbr(64, 64, 3)
        self.res2 = cbr(64, 64, 3, relu=False)
        self.down = cbr(64, 128, 3, 2)
        self.dil2 = cbr(128, 128, 3, 1, 2)
        self.aspp1 = cbr(128, 64, 1)
        self.aspp6 = cbr(128, 64, 3, 1, 6)
        self.aspp12 = cbr(128, 64, 3, 1, 12)
        self.aspp_pool = cbr(128, 64, 1)
        self.aspp_project = cbr(256, 128, 1)
        self.low_reduce = cbr(64, 32, 1)
        self.decoder = cbr(160, 64, 3)
        self.embed = nn.Conv2d(64, 300, 1)
        self.register_buffer('emb_t', embeddings.t().contiguous())  # [21, 300], fixed

    def scores(self, x):
        e = self.emb_t
        if self.fused:
            # [21, 300] @ [300, 64] → a 1×1 conv 64→21; the 300-d map is never formed.
            weight = (e @ self.embed.weight.flatten(1)).reshape(e.shape[0], -1, 1, 1)
            return F.conv2d(x, weight, e @ self.embed.bias)
        return torch.einsum('nchw,kc->nkhw', self.embed(x), e)

    def forward(self, images):
        size = images.shape[2:]
        x = self.stem2(self.stem1(images))
        low = self.low(x)
        x = self.res2(self.res1(low))
        x += low
        x = self.dil2(self.down(x.relu_()))
        pooled = self.aspp_pool(x.mean((2, 3), keepdim=True)).expand(-1, -1, x.shape[2], x.shape[3])
        x = self.aspp_project(torch.cat([self.aspp1(x), self.aspp6(x), self.aspp12(x), pooled], 1))
        x = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
        x = self.decoder(torch.cat([x, self.low_reduce(low)], 1))
        return F.interpolate(self.scores(x), size=size, mode='bilinear', align_corners=False)


def samples_ms(fn, reps, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def measure(variant, reps, batch, size):
    fused = variant.startswith('fused')
    channels_last = variant.endswith('+channels_last')
    torch.manual_seed(0)
    emb = torch.randn(300, 21)
    emb = emb / emb.norm(dim=0, keepdim=True)
    net = ReferenceNet(emb, fused)
    images = torch.randn(batch, 3, size, size)
    labels = torch.randint(0, 21, (batch, size, size))
    labels[torch.rand(batch, size, size) < 0.1] = 255
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(images), labels, ignore_index=255)
        loss.backward()
        opt.step()
        loss.item()

    net.train()
    train = samples_ms(train_step, reps)
    net.eval()

    def infer():
        with torch.inference_mode():
            F.log_softmax(net(images), 1).sum().item()

    infer = samples_ms(infer, reps)
    return train, infer


def main():
    threads, reps, batch, size = (int(v) for v in sys.argv[1:5])
    names = sys.argv[5].split(',') if len(sys.argv) > 5 else list(VARIANTS)
    for n in names:
        if n not in VARIANTS:
            raise SystemExit(f'unknown variant {n!r}; one of {", ".join(VARIANTS)}')
    torch.set_num_threads(threads)
    variants = {}
    for name in names:
        train, infer = measure(name, reps, batch, size)
        variants[name] = {'train_ms': median(train), 'infer_ms': median(infer), 'train_samples': train, 'infer_samples': infer}
    best_train = min(variants, key=lambda k: variants[k]['train_ms'])
    best_infer = min(variants, key=lambda k: variants[k]['infer_ms'])
    print(json.dumps({
        'torch': torch.__version__, 'threads': threads, 'variants': variants,
        'train_variant': best_train, 'train_median_ms': variants[best_train]['train_ms'],
        'infer_variant': best_infer, 'infer_median_ms': variants[best_infer]['infer_ms'],
        'train_ms': variants[best_train]['train_samples'], 'infer_ms': variants[best_infer]['infer_samples'],
    }))


if __name__ == '__main__':
    main()
