import { Registries } from '../registry/registries';
import { HEADLINE_COLUMNS } from './result-column';
import { ResultColumns } from './result-columns';

describe('ResultColumns', () => {
  it('starts with the headline columns and appends added ones in order', () => {
    const columns = new ResultColumns().add({ key: 'pixelAccuracy', label: 'pAcc', value: () => 1 });
    expect(columns.list().map((c) => c.key)).toEqual(['seen', 'unseen', 'harmonic', 'pixelAccuracy']);
    expect(columns.list().slice(0, 3)).toEqual(HEADLINE_COLUMNS);
  });

  it('rejects a second column with the same key, naming who registered the first', () => {
    const columns = new ResultColumns().add({ key: 'pAcc', label: 'pAcc', value: () => 1 }, 'zls-plugin-a');
    expect(() => columns.add({ key: 'pAcc', label: 'x', value: () => 2 }, 'zls-plugin-b')).toThrow(/result column "pAcc" is already registered by zls-plugin-a/);
    expect(() => columns.add({ key: 'seen', label: 'x', value: () => 2 })).toThrow(/already registered by zls/);
  });

  it('is one list per Registries, beside the component registries', () => {
    const a = new Registries();
    a.resultColumns.add({ key: 'pAcc', label: 'pAcc', value: () => 1 });
    expect(a.resultColumns.list()).toHaveLength(4);
    expect(new Registries().resultColumns.list()).toHaveLength(3);
  });
});
