import { reviewsTarget as target } from '../__testUtils__/bookinfo';
import { generateRouting } from '../generate/routing';
import { objectDiff, toComparableYaml } from './objectDiff';

describe('objectDiff', () => {
  const [, before] = generateRouting(target, {
    split: [{ version: 'v1', weight: 100 }],
  });
  const [, after] = generateRouting(target, {
    split: [
      { version: 'v1', weight: 70 },
      { version: 'v3', weight: 30 },
    ],
  });

  it('is empty when nothing changes, ignoring server-set metadata', () => {
    const live = {
      ...before,
      metadata: {
        ...before.metadata,
        resourceVersion: '42',
        uid: 'u',
        managedFields: [{}],
      },
    };
    expect(objectDiff('VirtualService/reviews', live, before)).toBe('');
  });

  it('shows the changed lines as a unified diff', () => {
    const diff = objectDiff('VirtualService/reviews', before, after);
    expect(diff).toContain('--- live/VirtualService/reviews');
    expect(diff).toContain('+++ planned/VirtualService/reviews');
    expect(diff).toMatch(/^-\s+weight: 100$/m);
    expect(diff).toMatch(/^\+\s+weight: 70$/m);
    expect(diff).toMatch(/^\+\s+subset: v3$/m);
  });

  it('ignores the order the server returns keys in', () => {
    const reordered = JSON.parse(
      JSON.stringify({
        spec: before.spec,
        metadata: before.metadata,
        kind: before.kind,
        apiVersion: before.apiVersion,
      }),
    );
    expect(objectDiff('VirtualService/reviews', reordered, before)).toBe('');
  });

  it('shows a creation against nothing', () => {
    const diff = objectDiff('VirtualService/reviews', undefined, after);
    expect(
      diff
        .split('\n')
        .filter(l => l.startsWith('+') && !l.startsWith('+++'))
        .join('\n'),
    ).toContain('kind: VirtualService');
    expect(toComparableYaml(undefined)).toBe('');
  });
});
