import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsString, Matches, Min, ValidateNested } from 'class-validator';

/** One row of the comparison: an experiment file plus overrides. */
export class AblationMethod {
  @IsString() @Matches(/^[\w.+-]+$/, { message: 'may contain only letters, digits and "_", ".", "+", "-"' }) name = '';
  /** Experiment file, relative to the ablation file. */
  @IsString() config = '';
  @IsArray() @IsString({ each: true }) set: string[] = [];
}

/** experiments/ablations/*.yaml: which methods, with which overrides, over which seeds. */
export class AblationSchema {
  @IsString() @Matches(/^[\w.-]+$/) name = 'ablation';
  @IsArray() @ArrayMinSize(1) @IsInt({ each: true }) @Min(0, { each: true }) seeds: number[] = [0];
  /**
   * `per-seed`: a seed also sets the data draw (`dataset.seed`, which for the synthetic benchmark fixes the
   * images and the embedding noise) unless a method's config or overrides pin it; `pinned`: leave it alone.
   */
  @IsIn(['per-seed', 'pinned']) dataSeeds: 'per-seed' | 'pinned' = 'per-seed';
  /** Overrides applied to every method before its own. */
  @IsArray() @IsString({ each: true }) set: string[] = [];
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => AblationMethod) methods: AblationMethod[] = [];
}
