/** The run's result schema lives in core (one schema for the engine, the tables and the report). */
export type { CalibrationOutcome, RoundQuality, RunResult, StageOutcome } from '@zls/core';
