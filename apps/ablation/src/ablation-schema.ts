import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';

/** One row of the comparison: an experiment file plus overrides. */
export class AblationMethod {
  @IsString() @Matches(/^[\w.+-]+$/, { message: 'may contain only letters, digits and "_", ".", "+", "-"' }) name = '';
  /** Experiment file, relative to the ablation file. */
  @IsString() config = '';
  @IsArray() @IsString({ each: true }) set: string[] = [];
}

/**
 * How the runs are executed (`zls-ablation --executor local|slurm`): the Slurm job resources, and the local
 * executor's concurrency. Command-line options override these. Not part of any run's config or hash.
 */
export class ExecutorSection {
  /** `--jobs`: independent stages run at once by the local executor (1: one after another in this process). */
  @IsOptional() @IsInt() @Min(1) jobs?: number;
  /** Slurm: `--partition`. */
  @IsOptional() @IsString() @Matches(/^[\w.,-]+$/) partition?: string;
  /** Slurm: `--time` per job (minutes, or [D-]HH:MM:SS). */
  @IsOptional() @IsString() @Matches(/^[\d:-]+$/, { message: 'a Slurm time: minutes, MM:SS, HH:MM:SS or D-HH:MM:SS' }) time?: string;
  /** Slurm: `--cpus-per-task`; also each job's thread budget. */
  @IsOptional() @IsInt() @Min(1) cpusPerTask?: number;
  /** Slurm: `--mem` (e.g. 8G). */
  @IsOptional() @IsString() @Matches(/^\d+[KMGT]?$/, { message: 'a Slurm memory size such as 4096, 8G' }) mem?: string;
  /** Slurm: `--gres=gpu:N`. */
  @IsOptional() @IsInt() @Min(0) gpus?: number;
  /** Slurm: `--account`. */
  @IsOptional() @IsString() @Matches(/^[\w.-]+$/) account?: string;
  /** Extra `#SBATCH` lines, e.g. `--qos=normal` or `--constraint=a100`. */
  @IsArray() @IsString({ each: true }) @Matches(/^(#SBATCH\s+)?-/, { each: true, message: 'each an sbatch option such as --qos=normal' }) sbatch: string[] = [];
  /** Shell lines a job runs before zls (e.g. `module load nodejs/20`). */
  @IsArray() @IsString({ each: true }) setup: string[] = [];
  /** The node.js binary on the compute nodes (default: the one running zls-ablation, by absolute path). */
  @IsOptional() @IsString() node?: string;
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
  @IsOptional() @ValidateNested() @Type(() => ExecutorSection) executor?: ExecutorSection;
}
