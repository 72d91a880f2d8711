import { HEADLINE_COLUMNS, type ResultColumn } from './result-column';

/**
 * The results table's columns in print order: the headline ones, then those libraries and plugins add (a plugin's
 * `register` calls `registries.resultColumns.add(...)`). Every table of results renders from this list.
 */
export class ResultColumns {
  private readonly columns: { column: ResultColumn; origin: string }[] = HEADLINE_COLUMNS.map((column) => ({ column, origin: 'zls' }));

  add(column: ResultColumn, origin = 'zls'): this {
    const existing = this.columns.find((c) => c.column.key === column.key);
    if (existing) throw new Error(`result column "${column.key}" is already registered by ${existing.origin}`);
    if (!column.key || !column.label) throw new Error(`result column ${JSON.stringify(column.key)} (from ${origin}) needs a key and a label`);
    this.columns.push({ column, origin });
    return this;
  }

  list(): ResultColumn[] {
    return this.columns.map((c) => c.column);
  }
}
