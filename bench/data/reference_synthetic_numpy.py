"""Reference for bench/data/bench-synthetic.ts: the synthetic benchmark's recipe (design doc section 1) written in
vectorised numpy, as the prototype was, timed per image. Prints one JSON line: {"ms_per_image": ..., "images": ...}.
"""
import json
import sys
import time

import numpy as np

COLOURS = np.array([[.85, .15, .15], [.15, .70, .20], [.15, .30, .90], [.90, .80, .10]])


def cubic(t, a=-0.75):
    x = np.abs(t)
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0))


def upsample_matrix(n_in, n_out):
    s = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    base = np.floor(s)
    m = np.zeros((n_out, n_in))
    for t in range(4):
        idx = np.clip(base - 1 + t, 0, n_in - 1).astype(int)
        np.add.at(m, (np.arange(n_out), idx), cubic(s - (base - 1 + t)))
    return m


def generate(rng, H, up):
    grid = rng.uniform(0.15, 0.85, (6, 6, 3))
    grey = grid.mean(axis=2, keepdims=True)
    grid = grey + 0.6 * (grid - grey)
    img = np.einsum('ij,jkc,lk->ilc', up, grid, up)
    label = np.full((H, H), 255, np.uint8)
    yy, xx = np.mgrid[0:H, 0:H].astype(np.float64)
    sc = H / 64
    for _ in range(rng.integers(2, 6)):
        k = rng.integers(0, 20)
        shape, colour = divmod(k, 4)
        r = rng.uniform(7, 15) * sc
        cx, cy = rng.uniform(r / 2, H - r / 2, 2)
        th = rng.uniform(0, 2 * np.pi)
        a = np.exp(rng.uniform(-0.25, 0.25))
        dx, dy = xx - cx, yy - cy
        u = (dx * np.cos(th) + dy * np.sin(th)) / (r * a)
        v = (-dx * np.sin(th) + dy * np.cos(th)) / (r / a)
        if shape == 0:
            m = u * u + v * v <= 1
        elif shape == 1:
            m = np.maximum(np.abs(u), np.abs(v)) <= 0.82
        elif shape == 2:
            R = 1.25
            m = (v >= -R / 2) & (np.sqrt(3) * u + v <= R) & (-np.sqrt(3) * u + v <= R)
        elif shape == 3:
            m = ((np.abs(u) <= .33) & (np.abs(v) <= 1)) | ((np.abs(v) <= .33) & (np.abs(u) <= 1))
        else:
            m = np.hypot(u, v) <= 0.6 + 0.45 * np.cos(5 * np.arctan2(v, u))
        if m.sum() < 4:
            continue
        col = np.clip(COLOURS[colour] + rng.normal(0, 0.10, 3), 0, 1)
        phi = rng.uniform(0, 2 * np.pi)
        shade = 1 + 0.15 * (dx * np.cos(phi) + dy * np.sin(phi)) / r
        tex = 1 + rng.normal(0, 0.08, (H, H))
        img[m] = (col[None, :] * (shade * tex)[m][:, None])
        label[m] = k
    img = img * (1 + rng.uniform(-0.15, 0.15)) + rng.normal(0, 0.08, img.shape)
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8), label


def main():
    n, H = int(sys.argv[1]), int(sys.argv[2])
    up = upsample_matrix(6, H)
    rng = np.random.default_rng(1)
    generate(rng, H, up)
    start = time.perf_counter()
    bg = 0
    for _ in range(n):
        _, label = generate(rng, H, up)
        bg += (label == 255).mean()
    ms = (time.perf_counter() - start) * 1000 / n
    print(json.dumps({"ms_per_image": ms, "images": n, "background_fraction": bg / n}))


if __name__ == "__main__":
    main()
