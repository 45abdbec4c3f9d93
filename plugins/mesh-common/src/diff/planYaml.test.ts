import { parseAllDocuments } from 'yaml';
import { generateRouting } from '../generate/routing';
import { clusterPlanYaml } from './planYaml';

const target = {
  mesh: 'demo',
  namespace: 'bookinfo',
  service: 'reviews',
  entityRef: 'component:default/reviews',
};

describe('clusterPlanYaml', () => {
  it('writes each object to apply as a YAML document, in plan order, and deletions as comments', () => {
    const [dr, vs] = generateRouting(target, {
      split: [
        { version: 'v1', weight: 70 },
        { version: 'v3', weight: 30 },
      ],
    });
    const yaml = clusterPlanYaml({
      cluster: 'east',
      changes: [
        {
          kind: 'DestinationRule',
          name: 'reviews',
          action: 'create',
          diff: '',
          object: dr,
        },
        {
          kind: 'VirtualService',
          name: 'reviews',
          action: 'update',
          diff: '',
          object: vs,
        },
        {
          kind: 'VirtualService',
          name: 'reviews-old',
          namespace: 'bookinfo',
          action: 'delete',
          diff: '',
        },
      ],
    });
    const documents = parseAllDocuments(yaml).map(d => d.toJS());
    // The header heads the first document; the deletion is a comment-only one.
    expect(documents).toEqual([dr, vs, null]);
    expect(yaml.split('\n')[1]).toBe('---');
    expect(yaml).toContain('# delete: VirtualService bookinfo/reviews-old');
    expect(
      yaml.startsWith('# east: its routing objects after this change'),
    ).toBe(true);
  });
});
