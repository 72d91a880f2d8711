import { IsIn, IsString } from 'class-validator';
import { injectable } from 'tsyringe';
import { cocostuffClassSpace } from '../splits/cocostuff-class-space';
import { cocostuffIds, cocostuffSampleFiles } from './cocostuff-layout';
import { masksUnseenByDefault } from './default-masking';
import { RealDatasetOptions } from './real-dataset-options';
import { RealSegDataset } from './real-seg-dataset';

export class CocostuffDatasetOptions extends RealDatasetOptions {
  /** A folder of images/ and annotations/: train2017 or val2017. */
  @IsString() split = 'train2017';
  /** drop: the 11 never-annotated ids are no classes (171 outputs, they read as ignore); keep: 182 as the reference code. */
  @IsIn(['drop', 'keep']) neverAnnotated: 'drop' | 'keep' = 'drop';
}

/** COCO-Stuff-164k (SPNet split: 156 seen + 15 unseen), labels in output-index space. */
@injectable()
export class CocostuffDataset extends RealSegDataset {
  constructor(readonly options: CocostuffDatasetOptions) {
    const classSpace = cocostuffClassSpace({
      neverAnnotated: options.neverAnnotated,
      embedding: options.embedding,
      embeddingNames: options.embeddingNames,
      embeddingDim: options.embeddingDim,
    });
    const ids = cocostuffIds(options.root, options.split, options.listFile);
    super({
      name: 'cocostuff',
      split: options.split,
      classSpace,
      files: cocostuffSampleFiles(options.root, options.split, ids),
      unseenPixels: options.unseenPixels ?? 'ignore',
      maskUnseen: options.maskUnseen ?? masksUnseenByDefault(options.split),
      skipBad: options.skipBad,
    });
  }
}
