import { IsIn, IsOptional } from 'class-validator';
import type { BackgroundHandling } from '@zls/core';

/** What every built-in dataset family is built with. */
export class DatasetFamilyOptions {
  /** VOC and synthetic: 'ignore' (default, background is no class) or 'class' (the `--bkg` mode). */
  @IsOptional() @IsIn(['ignore', 'class']) background?: BackgroundHandling;
}
