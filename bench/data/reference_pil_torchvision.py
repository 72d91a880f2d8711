"""Reference for bench/data: the same files and the same transforms with PIL + torchvision + a torch DataLoader.

warp 513x513 (image bilinear, label nearest) -> random scale U(0.5, 1.5) -> pad bottom/right to 513 (image 0,
label 255) -> random crop 321 -> horizontal flip p=0.5 -> BGR minus the Caffe mean, float32 HWC.
Prints one JSON line: {"images_per_s": ..., "cpu_ms_per_image": ..., "images": ..., "seconds": ...}.
"""
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import InterpolationMode

MEAN_BGR = torch.tensor([104.008, 116.669, 122.675], dtype=torch.float32)
WARP, CROP = 513, 321


class VocCrops(Dataset):
    def __init__(self, root):
        with open(os.path.join(root, "ImageSets", "Segmentation", "train.txt")) as f:
            self.ids = [line.strip() for line in f if line.strip()]
        self.root = root

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        image = Image.open(os.path.join(self.root, "JPEGImages", self.ids[i] + ".jpg")).convert("RGB")
        label = Image.open(os.path.join(self.root, "SegmentationClass", self.ids[i] + ".png"))
        image = F.resize(image, [WARP, WARP], InterpolationMode.BILINEAR)
        label = F.resize(label, [WARP, WARP], InterpolationMode.NEAREST)
        s = random.uniform(0.5, 1.5)
        size = [int(WARP * s), int(WARP * s)]
        image = F.resize(image, size, InterpolationMode.BILINEAR)
        label = F.resize(label, size, InterpolationMode.NEAREST)
        pad = max(WARP - size[0], 0)
        if pad:
            image = F.pad(image, [0, 0, pad, pad], fill=0)
            label = F.pad(label, [0, 0, pad, pad], fill=255)
        h, w = image.height, image.width
        top, left = random.randint(0, h - CROP), random.randint(0, w - CROP)
        image = F.crop(image, top, left, CROP, CROP)
        label = F.crop(label, top, left, CROP, CROP)
        if random.random() < 0.5:
            image, label = F.hflip(image), F.hflip(label)
        x = torch.from_numpy(np.asarray(image, dtype=np.float32)[:, :, ::-1].copy()) - MEAN_BGR
        return x, torch.from_numpy(np.asarray(label, dtype=np.uint8).copy())


def main():
    root, workers, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    random.seed(0)
    torch.manual_seed(0)
    loader = DataLoader(VocCrops(root), batch_size=batch, shuffle=True, num_workers=workers,
                        persistent_workers=workers > 0)
    for _ in loader:  # warm-up epoch: worker start-up and file cache, as on the TypeScript side
        pass
    images = 0
    start = time.perf_counter()
    cpu = time.process_time()  # this process only: meaningful for num_workers=0
    for _ in range(epochs):
        for x, y in loader:
            images += x.shape[0]
    seconds = time.perf_counter() - start
    cpu_ms = (time.process_time() - cpu) * 1000 / images
    print(json.dumps({"images_per_s": images / seconds, "cpu_ms_per_image": cpu_ms, "images": images, "seconds": seconds}))


if __name__ == "__main__":
    main()
