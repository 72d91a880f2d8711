import type { ClassSpace } from '@zls/core';

/**
 * The part of a ClassSpace the metrics read. Taking only this keeps the metrics usable (and testable) with a
 * plain object, without the data library that builds real class spaces.
 */
export type MetricClassSpace = Pick<ClassSpace, 'name' | 'numClasses' | 'classes' | 'seenIndices' | 'unseenIndices'>;
