import 'reflect-metadata';
import { IsIn, IsOptional } from 'class-validator';
import { injectable } from 'tsyringe';
import type { BackgroundHandling, DatasetFamily } from '@zls/core';
import { STRIPE_CLASSES, STRIPES_BACKGROUND_LABEL_ID, stripesClassSpace } from './stripes-class-space';

export class StripesFamilyOptions {
  /** Only 'ignore': background is never a class in this dataset. */
  @IsOptional() @IsIn(['ignore']) background?: BackgroundHandling;
}

/** What `zls eval` and `zls data stats` need to know about the stripes dataset without opening a split. */
@injectable()
export class StripesFamily implements DatasetFamily {
  readonly labels = { space: stripesClassSpace(), datasetLabelIds: [STRIPES_BACKGROUND_LABEL_ID, ...STRIPE_CLASSES.map((c) => c.labelId)] };
  readonly backgroundLabelId = STRIPES_BACKGROUND_LABEL_ID;
  readonly embeddings: readonly string[] = [];
  readonly defaultUnseenPixels = 'ignore' as const;
}
