"""numpy reference for bench/metrics: the SPNet/ZS3 `_fast_hist` recipe (mask, n*gt+pred, bincount) per image,
added into a float64 matrix, timed on the arrays run-bench.ts wrote. Prints JSON: best milliseconds per pass
and the matrix checksum (so the TS side can check both counted the same pixels)."""
import json
import sys
import time

import numpy as np


def main(path):
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(16), dtype="<u4")
        images, height, width, n = (int(v) for v in header)
        px = height * width
        gt = np.frombuffer(f.read(images * px), dtype=np.uint8).reshape(images, px)
        pred = np.frombuffer(f.read(images * px), dtype=np.uint8).reshape(images, px)
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best = float("inf")
    hist = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        hist = np.zeros((n, n))
        for k in range(images):
            lt = gt[k]
            lp = pred[k]
            mask = (lt >= 0) & (lt < n)
            hist += np.bincount(n * lt[mask].astype(int) + lp[mask], minlength=n * n).reshape(n, n)
        best = min(best, (time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms": best, "scored": float(hist.sum()), "diagonal": float(np.trace(hist)), "numpy": np.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
