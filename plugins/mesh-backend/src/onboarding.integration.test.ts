import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
} from './__testUtils__/meshBackend';
import { targetOf } from './http/targetOf';

/** A catalogued component whose catalog-info.yaml does not carry the mesh annotations yet. */
const unannotated = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'service',
    owner: 'group:default/bookinfo-team',
    lifecycle: 'production',
  },
});

describe('targetOf', () => {
  it('takes the annotations of an annotated entity, and refuses to be told otherwise', () => {
    const reviews = serviceEntity('reviews', 'demo', 'bookinfo');
    expect(targetOf(reviews, undefined)).toEqual({
      mesh: 'demo',
      service: 'reviews',
      namespace: 'bookinfo',
      entityRef: 'component:default/reviews',
    });
    expect(() =>
      targetOf(reviews, { mesh: 'demo', namespace: 'other', service: 'x' }),
    ).toThrow(/already names its mesh target/);
  });

  // A malformed onboarding target is refused by the request schema, before here (router.test.ts).
  it('takes an onboarding target for an entity without annotations', () => {
    expect(
      targetOf(unannotated('ratings'), {
        mesh: 'demo',
        namespace: 'bookinfo',
        service: 'ratings',
      }),
    ).toEqual({
      mesh: 'demo',
      namespace: 'bookinfo',
      service: 'ratings',
      entityRef: 'component:default/ratings',
    });
    expect(() => targetOf(unannotated('ratings'), undefined)).toThrow(
      /has no mesh.meshtraffic.io\/mesh annotation/,
    );
  });
});

describe('POST .../apply with an onboarding target', () => {
  let sandbox: Sandbox;
  let server: any;
  const path = '/api/mesh/entities/component/default/ratings';
  const auth = () => mockCredentials.user.header();

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [unannotated('ratings')],
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('plans and applies a first intent on both primaries, and history names the scaffolder task', async () => {
    const onboarding = {
      mesh: 'demo',
      namespace: 'bookinfo',
      service: 'ratings',
    };
    const intent = { split: [{ version: 'v1', weight: 100 }] };
    const plan = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent, onboarding });
    expect(plan.status).toBe(200);
    expect(plan.body.clusters.map((c: any) => c.cluster)).toEqual([
      'east',
      'west',
    ]);
    // A person may not tag a change as a template's; the scaffolder, acting on the user's behalf, may.
    const asPerson = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({
        intent,
        onboarding,
        revision: plan.body.revision,
        scaffolderTaskId: 'task-42',
      });
    expect(asPerson.status).toBe(400);
    expect(asPerson.body.error.message).toMatch(
      /scaffolderTaskId is accepted only from a service acting on behalf of a user/,
    );
    const res = await request(server)
      .post(`${path}/apply`)
      .set(
        'Authorization',
        userHeader('user:default/mock', { onBehalfOf: 'plugin:scaffolder' }),
      )
      .send({
        intent,
        onboarding,
        revision: plan.body.revision,
        scaffolderTaskId: 'task-42',
      });
    expect(res.status).toBe(200);
    expect(res.body.clusters).toEqual([
      { cluster: 'east', outcome: 'applied' },
      { cluster: 'west', outcome: 'applied' },
    ]);
    const [latest] = (
      await request(server).get(`${path}/history`).set('Authorization', auth())
    ).body.items;
    expect(latest).toMatchObject({
      entityRef: 'component:default/ratings',
      scaffolderTaskId: 'task-42',
      intentAfter: intent,
      ok: true,
    });
  });

  it('refuses a namespace the mesh does not let the portal manage (403), writing nothing', async () => {
    const res = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({
        intent: { split: [{ version: 'v1', weight: 100 }] },
        onboarding: {
          mesh: 'demo',
          namespace: 'kube-system',
          service: 'coredns',
        },
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/namespace kube-system/);
  });
});
