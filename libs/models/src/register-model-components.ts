import type { Registries } from '@zls/core';
import { DeepLabResNet, DeepLabResNetOptions } from './backbones/deeplab-resnet';
import { OnnxFileBackbone, OnnxFileBackboneOptions } from './onnx-backbone/onnx-file-backbone';
import { GmmnGenerator, GmmnGeneratorOptions } from './zs3net/gmmn-generator';
import { SyntheticBackbone, SyntheticBackboneOptions } from './backbones/synthetic-backbone';
import { AsppLiteProjectionHead, AsppLiteProjectionHeadOptions } from './heads/aspp-lite-projection-head';
import { DeepLabV3PlusHead, DeepLabV3PlusHeadOptions } from './heads/deeplabv3plus-head';
import { AsppV2ProjectionHead, AsppV2ProjectionHeadOptions } from './heads/aspp-v2-projection-head';

const ORIGIN = '@zls/models';

/** Registers the built-in backbones and heads, and ZS3Net's generator under registries.of('generator'). */
export function registerModelComponents(registries: Registries): void {
  registries.backbone.register('synthetic-net', SyntheticBackbone, SyntheticBackboneOptions, 'small fast CNN of the synthetic benchmark (width w, output stride 4)', ORIGIN);
  registries.backbone.register('resnet', DeepLabResNet, DeepLabResNetOptions, 'DeepLab ResNet-18/34/50/101 (Caffe stem, dilated for output stride 8/16, frozen BN option, torchvision weights)', ORIGIN);
  registries.backbone.register('onnx', OnnxFileBackbone, OnnxFileBackboneOptions, 'a user ONNX feature extractor run in onnxruntime-node as a frozen trunk', ORIGIN);
  registries.head.register('aspp-lite-projection', AsppLiteProjectionHead, AsppLiteProjectionHeadOptions, 'dilated 3×3 branches 1/2/4 concatenated, 1×1 fusion, 1×1 to the embedding size', ORIGIN);
  registries.head.register('deeplabv3plus', DeepLabV3PlusHead, DeepLabV3PlusHeadOptions, 'DeepLabv3+ ASPP (1×1, 3×3 at 6/12/18, image pooling) and decoder with 48-ch low-level features', ORIGIN);
  registries.head.register('aspp-v2-projection', AsppV2ProjectionHead, AsppV2ProjectionHeadOptions, "SPNet's ASPP-v2: sum of four dilated 3×3 convolutions (6/12/18/24) to the embedding size", ORIGIN);
  registries.of<GmmnGenerator>('generator').register('gmmn', GmmnGenerator, GmmnGeneratorOptions, "ZS3Net's generative moment-matching network (word embedding ⊕ noise → feature)", ORIGIN);
}
