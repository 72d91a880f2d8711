"""Writes the .pth fixtures of libs/models/src/checkpoint/pth/read-pth.spec.ts with Debian's python3-torch
(never a dependency of zls): small state dicts saved by torch.save, and beside each one the expected tensors as
JSON, so the TypeScript reader is checked against PyTorch's own writer. Usage:
/usr/bin/python3 tools/make-pth-fixtures.py libs/models/fixtures/pth"""
import collections
import json
import os
import sys

import torch
import torch.nn as nn

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def expected(sd):
    return {k: {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape), 'values': v.flatten().tolist()} for k, v in sd.items()}


# A ResNet-like state dict: a conv, a batch norm with its int64 counter, a transposed view and a view with an
# offset into a shared storage (torch.save keeps views), a half-precision tensor, and a nested dict.
base = torch.randn(3, 4)
sd = collections.OrderedDict()
sd['conv1.weight'] = torch.randn(4, 3, 3, 3)
sd['bn1.weight'] = torch.rand(4) + 0.5
sd['bn1.bias'] = torch.randn(4)
sd['bn1.running_mean'] = torch.randn(4)
sd['bn1.running_var'] = torch.rand(4) + 0.5
sd['bn1.num_batches_tracked'] = torch.tensor(7)
sd['fc.weight'] = base.t()
sd['fc.row'] = base[1]
sd['half'] = torch.randn(5).half()
torch.save(sd, os.path.join(out, 'state-dict.pth'))
flat = dict(sd)
torch.save({'model': {'layer.weight': sd['conv1.weight'][:2]}}, os.path.join(out, 'nested.pth'))
json.dump({'state-dict.pth': expected(flat), 'nested.pth': expected({'model.layer.weight': sd['conv1.weight'][:2]})}, open(os.path.join(out, 'expected.json'), 'w'))

# What the reader must refuse, each with a clear message.
torch.save(nn.Linear(2, 2), os.path.join(out, 'pickled-module.pth'))
torch.save(collections.OrderedDict(mask=torch.tensor([True, False])), os.path.join(out, 'bool-storage.pth'))
torch.save(sd, os.path.join(out, 'legacy.pth'), _use_new_zipfile_serialization=False)
torch.save({'weights': sd['bn1.bias'], 'epoch': 3}, os.path.join(out, 'not-a-tensor.pth'))
print('wrote fixtures to', out)
