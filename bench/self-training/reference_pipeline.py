"""Independent PyTorch reference of the prototype's protocol (docs/synthetic-benchmark.md §1-§5, variant A).

SPNet (seen-only CE) -> cached pseudo-labelling of the whole train set (ST: unseen argmax on every candidate;
STRICT: 6-view agreement) -> student (init from generator, CE over all 20 classes) -> test mIoU.
Data: a VOC-layout folder written by `zls data synth` (--data DIR) or the numpy recipe (--numpy-seed N).
Prints progress to stderr and one JSON line of results to stdout. Run with Debian's /usr/bin/python3.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'models'))
sys.path.insert(0, os.path.join(HERE, '..', 'data'))
from synthetic_model import Net  # noqa: E402

UNSEEN = [0, 5, 10, 15, 17]
SEEN = [c for c in range(20) if c not in UNSEEN]
IGN = 255


def log(*a):
    print(f'[{time.strftime("%H:%M:%S")}]', *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data
def load_voc(root):
    from PIL import Image
    out = {}
    for split in ('train', 'test'):
        ids = open(os.path.join(root, 'ImageSets', 'Segmentation', f'{split}.txt')).read().split()
        imgs, labs = [], []
        for i in ids:
            jp = [f for f in (f'{i}.png', f'{i}.jpg') if os.path.exists(os.path.join(root, 'JPEGImages', f))][0]
            imgs.append(np.array(Image.open(os.path.join(root, 'JPEGImages', jp)).convert('RGB')))
            labs.append(np.array(Image.open(os.path.join(root, 'SegmentationClass', f'{i}.png'))))  # palette indices
        out[split] = [np.stack(imgs), np.stack(labs)]
    meta = json.load(open(os.path.join(root, 'classes.json')))
    assert meta['background'] == 'ignore'
    for split in out:  # the writer stores background as backgroundLabelId (20); variant A ignores it
        out[split][1][out[split][1] == meta['backgroundLabelId']] = IGN
    unseen = sorted(c['labelId'] for c in meta['classes'] if c['role'] == 'unseen')
    assert unseen == UNSEEN, unseen
    emb = json.load(open(os.path.join(root, 'embeddings.json')))['classes']
    emb = np.array([c['vector'] for c in sorted(emb, key=lambda c: c['id'])], np.float32)
    return out, emb


def numpy_recipe(seed, n_train, n_test, sigma=1.0, H=64):
    from reference_synthetic_numpy import generate, upsample_matrix
    up = upsample_matrix(6, H)
    out = {}
    for split, off, n in (('train', 1, n_train), ('test', 2, n_test)):  # split seeds 10*seed + {1 train, 2 test, 3 val}
        rng = np.random.default_rng(10 * seed + off)
        pairs = [generate(rng, H, up) for _ in range(n)]
        out[split] = (np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs]))
    rng = np.random.default_rng(1234 + seed)  # doc §2
    P = np.linalg.qr(rng.normal(size=(300, 10)))[0]
    emb = np.zeros((20, 300))
    for k in range(20):
        a = np.zeros(10)
        a[k // 4] = 1
        a[5 + k % 4] = 1
        e = P @ a
        e /= np.linalg.norm(e)
        e = e + sigma * rng.normal(size=300) / math.sqrt(300)
        emb[k] = e / np.linalg.norm(e)
    return out, emb.astype(np.float32)


def stats(data):
    img, lab = data['train']
    n = lab.size
    fg = lab != IGN
    uns = np.isin(lab, UNSEEN)
    counts = np.bincount(lab[fg].ravel(), minlength=20)[:20]
    # mean object size: visible pixels per (image, class) pair present (approx: same-class objects merge)
    sizes = [(l == k).sum() for l in lab for k in np.unique(l) if k != IGN]
    return {'bg_frac': float((~fg).mean()), 'unseen_frac': float(uns.sum() / n),
            'px_mean': img.reshape(-1, 3).mean(0).round(2).tolist(), 'px_std': img.reshape(-1, 3).std(0).round(2).tolist(),
            'fg_px_mean': img[fg].mean(0).round(2).tolist(), 'bg_px_mean': img[~fg].mean(0).round(2).tolist(),
            'mean_obj_px': float(np.mean(sizes)), 'class_px_frac': (counts / n * 100).round(2).tolist()}


def to_x(img):
    return (torch.from_numpy(img).permute(0, 3, 1, 2).float() / 255 - 0.5) / 0.25


# ---------------------------------------------------------------- training / eval
def make_net(emb, seed):
    torch.manual_seed(seed)
    net = Net()
    net.emb.copy_(torch.from_numpy(emb))
    return net


def train(net, x, target, classes, steps, lr, seed):
    """target: label ids over `classes` order already remapped to 0..len(classes)-1 (255 = ignore)."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    cls = torch.tensor(classes)
    net.train()
    perm, p, t0 = torch.randperm(len(x), generator=g), 0, time.time()
    for step in range(steps):
        if p + 16 > len(x):
            perm, p = torch.randperm(len(x), generator=g), 0
        idx = perm[p:p + 16]
        p += 16
        xb, yb = x[idx].clone(), target[idx].clone()
        flip = torch.rand(16, generator=g) < 0.5
        xb[flip], yb[flip] = xb[flip].flip(-1), yb[flip].flip(-1)
        loss = F.cross_entropy(net(xb, cls), yb, ignore_index=IGN)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            log(f'  step {step}/{steps} loss {loss.item():.3f} ({(time.time() - t0) / (step + 1) * 1000:.0f} ms/step)')
    return net


@torch.no_grad()
def scores(net, x, classes, bs=100):
    net.eval()
    cls = torch.tensor(classes)
    return torch.cat([net(x[i:i + bs], cls) for i in range(0, len(x), bs)])


@torch.no_grad()
def evaluate(net, x, gt):
    pred = scores(net, x, list(range(20))).argmax(1).numpy()
    m = gt != IGN
    cm = np.bincount(gt[m].astype(np.int64) * 20 + pred[m], minlength=400).reshape(20, 20)
    iou = np.diag(cm) / np.maximum(cm.sum(0) + cm.sum(1) - np.diag(cm), 1) * 100
    S, U = iou[SEEN].mean(), iou[UNSEEN].mean()
    return {'S': round(float(S), 2), 'U': round(float(U), 2), 'H': round(float(2 * S * U / max(S + U, 1e-9)), 2),
            'iou': iou.round(1).tolist()}


@torch.no_grad()
def pseudo_labels(gen, x, method, bs=50):
    """Label ids (unseen) or 255, for every pixel; caller restricts to candidates."""
    H = x.shape[-1]
    if method == 'st':
        return torch.tensor(UNSEEN)[scores(gen, x, UNSEEN).argmax(1)].numpy()
    gen.eval()
    cls = torch.tensor(UNSEEN)
    out = []
    for i in range(0, len(x), bs):
        xb, votes = x[i:i + bs], []
        for s in (1.0, 1.5, 1.75):
            xs = xb if s == 1.0 else F.interpolate(xb, size=round(H * s), mode='bilinear', align_corners=False)
            for fl in (False, True):
                sc = gen(xs.flip(-1) if fl else xs, cls)
                sc = sc.flip(-1) if fl else sc
                if s != 1.0:
                    sc = F.interpolate(sc, size=(H, H), mode='bilinear', align_corners=False)
                votes.append(sc.argmax(1))
        v = torch.stack(votes)
        agree = (v == v[0]).all(0)
        out.append(torch.where(agree, torch.tensor(UNSEEN)[v[0]], torch.tensor(IGN)))
    return torch.cat(out).numpy()


def pl_quality(pl, target, gt):
    cand = target == IGN
    assigned = cand & (pl != IGN)
    uns = np.isin(gt, UNSEEN)
    correct = assigned & (pl == gt)
    bg = gt == IGN
    return {'prec_all': round(100 * correct.sum() / max(assigned.sum(), 1), 1),
            'prec_unseen_px': round(100 * correct.sum() / max((assigned & uns).sum(), 1), 1),
            'coverage': round(100 * correct.sum() / uns.sum(), 1),
            'cand_labelled': round(100 * assigned.sum() / cand.sum(), 1),
            'bg_labelled': round(100 * (assigned & bg).sum() / bg.sum(), 1)}


def main():
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--data')
    src.add_argument('--numpy-seed', type=int)
    ap.add_argument('--seed', type=int, default=0, help='init / batch-order seed')
    ap.add_argument('--n-train', type=int, default=1000)
    ap.add_argument('--n-test', type=int, default=400)
    ap.add_argument('--spnet-steps', type=int, default=1000)
    ap.add_argument('--student-steps', type=int, default=400)
    ap.add_argument('--methods', default='st,strict')
    ap.add_argument('--rounds', type=int, default=1)
    ap.add_argument('--ckpt-dir', default='/tmp/st_ref/ckpt')
    ap.add_argument('--test-data', help='VOC folder whose test split replaces the source test split (leak-free test)')
    ap.add_argument('--stats-only', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(2)

    if a.data:
        data, emb = load_voc(a.data)
        tag = 'ts-' + os.path.basename(os.path.normpath(a.data))
    else:
        data, emb = numpy_recipe(a.numpy_seed, a.n_train, a.n_test)
        tag = f'np{a.numpy_seed}'
    if a.test_data:
        data['test'] = load_voc(a.test_data)[0]['test']
        tag_test = os.path.basename(os.path.normpath(a.test_data))
    res = {'data': tag, 'test': tag_test if a.test_data else 'own', 'seed': a.seed, 'stats': stats(data)}
    log('data', tag, json.dumps({k: v for k, v in res['stats'].items() if k != 'class_px_frac'}))
    if a.stats_only:
        print(json.dumps(res))
        return
    img, gt_tr = data['train']
    x, xt, gt_te = to_x(img), to_x(data['test'][0]), data['test'][1]
    target = np.where(np.isin(gt_tr, SEEN), gt_tr, IGN).astype(np.uint8)  # seen labels only; unseen + bg hidden
    seen_lut = np.full(256, IGN, np.int64)
    seen_lut[SEEN] = np.arange(15)

    os.makedirs(a.ckpt_dir, exist_ok=True)
    ck = os.path.join(a.ckpt_dir, f'spnet-{tag}-s{a.seed}-{a.spnet_steps}.pt')
    net = make_net(emb, a.seed)
    if os.path.exists(ck):
        net.load_state_dict(torch.load(ck))
        log('loaded', ck)
    else:
        log('SPNet', a.spnet_steps, 'steps')
        train(net, x, torch.from_numpy(seen_lut[target]), SEEN, a.spnet_steps, 2e-3, a.seed)
        torch.save(net.state_dict(), ck)
    res['spnet'] = evaluate(net, xt, gt_te)
    log('SPNet', {k: v for k, v in res['spnet'].items() if k != 'iou'})

    for method in a.methods.split(','):
        gen = net
        for r in range(1, a.rounds + 1):
            t0 = time.time()
            pl = pseudo_labels(gen, x, method)
            pl = np.where(target == IGN, pl, IGN)
            q = pl_quality(pl, target, gt_tr)
            log(f'{method} r{r} labelling {time.time() - t0:.0f}s', q)
            student = make_net(emb, a.seed)
            student.load_state_dict(gen.state_dict())
            tgt = torch.from_numpy(np.where(target != IGN, target, pl).astype(np.int64))
            train(student, x, tgt, list(range(20)), a.student_steps, 5e-4, a.seed + 100 * r)
            ev = evaluate(student, xt, gt_te)
            res[f'{method}-r{r}'] = {**ev, 'pl': q}
            log(f'{method} r{r}', {k: v for k, v in ev.items() if k != 'iou'})
            gen = student
    print(json.dumps(res))


if __name__ == '__main__':
    main()
