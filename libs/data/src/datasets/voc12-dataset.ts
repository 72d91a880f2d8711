import { IsIn, IsOptional, IsString } from 'class-validator';
import { injectable } from 'tsyringe';
import type { UnseenPixelMode } from '../masking/label-tables';
import type { BackgroundMode } from '../splits/real-class-space';
import { vocClassSpace, VOC_CLASS_SPLITS, type VocClassSplit } from '../splits/voc-class-space';
import { masksUnseenByDefault } from './default-masking';
import { RealDatasetOptions } from './real-dataset-options';
import { RealSegDataset } from './real-seg-dataset';
import { resolveVocRoot, vocIds, vocLabelDir, vocSampleFiles, VOC_LABEL_FOLDERS, type VocLabelFolder } from './voc12-layout';

export class Voc12DatasetOptions extends RealDatasetOptions {
  /** A list of ImageSets/Segmentation (train, val, trainval) or the shipped train_aug (10 582 images). */
  @IsString() split = 'train_aug';
  /** spnet (SPNet/STRICT 15 seen / 5 unseen) or zs3-2 … zs3-10 (ZS3Net). */
  @IsIn(VOC_CLASS_SPLITS) classSplit: VocClassSplit = 'spnet';
  /** ignore: background is no class (SPNet/STRICT); class: background is seen class (STRICT --bkg, ZS3Net). */
  @IsOptional() @IsIn(['ignore', 'class']) background?: BackgroundMode;
  /** Label folder; auto = SegmentationClassAug when present, else SegmentationClass. */
  @IsIn(VOC_LABEL_FOLDERS) labels: VocLabelFolder = 'auto';
}

/** The protocol default for unseen training pixels: ZS3Net drops such images, STRICT --bkg relabels them. */
export function defaultVocUnseenPixels(classSplit: VocClassSplit, backgroundIsClass: boolean): UnseenPixelMode {
  if (classSplit !== 'spnet') return 'drop-image';
  return backgroundIsClass ? 'background' : 'ignore';
}

/** PASCAL VOC 2012 in the VOCdevkit layout, labels in output-index space. */
@injectable()
export class Voc12Dataset extends RealSegDataset {
  constructor(readonly options: Voc12DatasetOptions) {
    const vocRoot = resolveVocRoot(options.root);
    const classSpace = vocClassSpace({
      classSplit: options.classSplit,
      background: options.background,
      embedding: options.embedding,
      embeddingNames: options.embeddingNames,
      embeddingDim: options.embeddingDim,
    });
    const ids = vocIds(vocRoot, options.split, options.listFile);
    super({
      name: 'voc12',
      split: options.split,
      classSpace,
      files: vocSampleFiles(vocRoot, ids, vocLabelDir(vocRoot, options.labels)),
      unseenPixels: options.unseenPixels ?? defaultVocUnseenPixels(options.classSplit, classSpace.space.backgroundIsClass),
      maskUnseen: options.maskUnseen ?? masksUnseenByDefault(options.split),
      skipBad: options.skipBad,
    });
  }
}
