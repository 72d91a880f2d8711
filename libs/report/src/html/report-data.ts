import type { ResultColumn } from '@zls/core';
import type { MethodSummary } from '../tables/summarise';

export type ClassRole = 'seen' | 'unseen';

/** One class of the run's class space, in output-index order. */
export interface ReportClass {
  index: number;
  name: string;
  role: ClassRole;
}

/** Per-class IoU of a method's final model, in percent (mean over seeds). */
export interface ClassIoU {
  method: string;
  className: string;
  role: ClassRole;
  iou: number;
}

/** One logged training step of one stage. */
export interface CurvePoint {
  series: string;
  step: number;
  loss: number;
}

/** Pseudo-label quality of one round of one method, in percent (mean over seeds). */
export interface QualityPoint {
  method: string;
  round: number;
  /** Correct among the labels assigned to unseen-object pixels. */
  precisionOnUnseen: number;
  /** Correctly labelled unseen pixels among all unseen pixels (`coverage` in the results). */
  coverage: number;
}

/**
 * Pseudo-label quality of one unseen class in one round of one method, in percent (mean over seeds; null where
 * no seed defines it, e.g. precision of a class that was never assigned).
 */
export interface ClassQualityPoint {
  method: string;
  round: number;
  className: string;
  /** Correct among the pixels labelled with this class. */
  precision: number | null;
  /** Correctly labelled pixels of this class among all its pixels (`coverage` in the results). */
  coverage: number | null;
  /** Correct over the union of pixels labelled with the class and pixels of the class. */
  iou: number | null;
}

/** An RGB image, height × width × 3, uint8. */
export interface RgbImage {
  data: Uint8Array;
  height: number;
  width: number;
}

/** A label map of output indices (255 = ignore). */
export interface IndexMap {
  data: Uint8Array;
  height: number;
  width: number;
}

/** One row of a qualitative panel: the image, then label maps drawn over it. */
export interface ExampleRow {
  id: string;
  image: RgbImage;
  /** Column title → label map (absent when that column has no map for this image). */
  maps: Record<string, IndexMap | undefined>;
}

export interface ExamplePanel {
  title: string;
  columns: string[];
  rows: ExampleRow[];
}

/** Everything the HTML report shows, gathered from a run or an ablation folder. */
export interface ReportData {
  title: string;
  source: string;
  table: MethodSummary[];
  /** The table's columns (default: seen, unseen, harmonic mIoU); numbers the rows hold beyond them follow. */
  columns?: readonly ResultColumn[];
  /** Notes shown under the table (γ choices, oracle marks, missing files). */
  notes: string[];
  classes: ReportClass[];
  perClassIoU: ClassIoU[];
  curves: CurvePoint[];
  quality: QualityPoint[];
  /** Per unseen class: shown under the overall quality chart. */
  classQuality: ClassQualityPoint[];
  examples: ExamplePanel[];
}
