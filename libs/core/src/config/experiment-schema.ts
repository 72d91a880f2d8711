import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Optimisation schedule of one training stage. */
export class TrainSection {
  @IsInt() @Min(1) iterations = 1000;
  @IsInt() @Min(1) batchSize = 16;
  @IsIn(['sgd', 'adam']) optimizer: 'sgd' | 'adam' = 'sgd';
  @IsNumber() @IsPositive() lr = 2.5e-4;
  @IsNumber() @Min(0) @Max(1) momentum = 0.9;
  @IsNumber() @Min(0) weightDecay = 5e-4;
  @IsIn(['poly', 'cosine', 'constant']) lrPolicy: 'poly' | 'cosine' | 'constant' = 'poly';
  @IsNumber() @IsPositive() lrPower = 0.9;
  /** Save a checkpoint every N steps; 0 saves only at the end. */
  @IsInt() @Min(0) checkpointEvery = 0;
}

/** The model: a backbone and a head, each a registered component (validated by its registry). */
export class ModelSection {
  @Allow() backbone?: unknown;
  @Allow() head?: unknown;
}

/** The top level of an experiment file (after `_base_` merging and `--set` overrides). */
export class ExperimentSchema {
  @IsString() @Matches(/^[\w.-]+$/, { message: 'may contain only letters, digits, "_", "." and "-"' }) name = 'experiment';
  @IsInt() @Min(0) seed = 0;
  /** Plugin packages imported (and registered) before the rest of the config is validated. */
  @IsArray() @IsString({ each: true }) plugins: string[] = [];
  /** `auto` or a backend name (see `zls doctor`). */
  @IsString() backend = 'auto';
  @Allow() dataset?: unknown;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ModelSection) model?: ModelSection;
  @Allow() pseudoLabel?: unknown;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TrainSection) train?: TrainSection;
}

/** Where registered components sit in the experiment tree, and which registry validates each. */
export interface ComponentSlot {
  path: string;
  kind: string;
  required: boolean;
  list?: boolean;
}

export const COMPONENT_SLOTS: readonly ComponentSlot[] = [
  { path: 'dataset', kind: 'dataset', required: true },
  { path: 'model.backbone', kind: 'backbone', required: false },
  { path: 'model.head', kind: 'head', required: false },
  { path: 'pseudoLabel', kind: 'pseudo-labeler', required: false },
];
