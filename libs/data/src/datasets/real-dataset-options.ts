import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { UNSEEN_PIXEL_MODES, type UnseenPixelMode } from '../masking/label-tables';

/** Options every on-disk dataset shares. */
export class RealDatasetOptions {
  /** Dataset folder (required). */
  @IsString() @IsNotEmpty() root!: string;
  /** Class embeddings: a shipped set (fastnvec, word2vec, fasttext, glove[, zs3-word2vec]) or a .json/.npy/word2vec-text file. */
  @IsString() @IsNotEmpty() embedding = 'fastnvec';
  /** For a .npy embedding file: one class name per row (otherwise row i = label value i). */
  @IsOptional() @IsString() embeddingNames?: string;
  /** Expected embedding width; a file of another width is an error. */
  @IsOptional() @IsInt() @Min(1) embeddingDim?: number;
  /** What training targets do with unseen pixels; default ignore (background in VOC bkg mode, drop-image for ZS3 splits). */
  @IsOptional() @IsIn(UNSEEN_PIXEL_MODES) unseenPixels?: UnseenPixelMode;
  /** Mask unseen classes in targets; default on for every split but val/val2017/test. */
  @IsOptional() @IsBoolean() maskUnseen?: boolean;
  /** An id list to read instead of the split's own list. */
  @IsOptional() @IsString() listFile?: string;
  /** Count and skip unreadable samples instead of failing on the first. */
  @IsBoolean() skipBad = false;
}
