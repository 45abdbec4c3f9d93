import { DNS_1123_LABEL } from '../entity/target';
import { subsetName } from './subsets';

describe('subsetName', () => {
  it('keeps the readable names', () => {
    expect(subsetName({ version: 'v1' })).toBe('v1');
    expect(subsetName({ version: 'v2.1', cluster: 'West_1' })).toBe(
      'v2-1-west-1',
    );
  });

  it('stays a DNS label of at most 63 characters, distinct, whatever the names', () => {
    const long = 'x'.repeat(63);
    const names = [
      subsetName({ version: long, cluster: long }),
      subsetName({ version: long, cluster: `${long.slice(1)}y` }),
      subsetName({ version: '_v1_', cluster: 'east' }),
      subsetName({ version: '___' }),
    ];
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(DNS_1123_LABEL);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toMatch(/^x+-[0-9a-f]{8}$/);
  });
});
