import { mockCredentials } from '@backstage/backend-test-utils';
import {
  applyRequestSchema,
  applyResponseSchema,
  canaryAnalysisStateSchema,
  canaryEvaluationSchema,
  classifiedObjectSchema,
  clusterApplyResultSchema,
  clusterPlanSchema,
  clustersResponseSchema,
  clusterStateSchema,
  entityMeshStateSchema,
  historyEntrySchema,
  hostTrafficSchema,
  serviceGraphSchema,
  planRequestSchema,
  rollbackRequestSchema,
  unfinishedChangeSchema,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { z } from 'zod';
import { expectDocumented, spec } from '../__testUtils__/documented';
import {
  ADMIN_GROUP,
  failChangeAndItsUndo,
  useDemoWithPrometheus,
} from '../__testUtils__/meshBackend';

const ENTITY = '/entities/{kind}/{namespace}/{name}';

describe('openapi.yaml against the code', () => {
  it('has no key without a value (a comma inside an unquoted flow-style description splits it)', () => {
    const nulls: string[] = [];
    const walk = (node: any, at: string) => {
      if (node && typeof node === 'object')
        for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
      else if (node === null) nulls.push(at);
    };
    walk(spec, '');
    expect(nulls).toEqual([]);
  });

  it.each([
    ['plan', `${ENTITY}/plan`, planRequestSchema],
    ['apply', `${ENTITY}/apply`, applyRequestSchema],
    ['rollback', `${ENTITY}/rollback`, rollbackRequestSchema],
  ])(
    'documents the %s request as mesh-common’s schema takes it: the same fields, the same required ones',
    (_name, route, schema) => {
      const documented =
        spec.paths[route].post.requestBody.content['application/json'].schema;
      const shape = (schema as z.AnyZodObject).shape;
      expect(Object.keys(documented.properties).sort()).toEqual(
        Object.keys(shape).sort(),
      );
      const required = Object.entries(shape)
        .filter(([, field]) => !(field as z.ZodTypeAny).isOptional())
        .map(([key]) => key);
      expect([...(documented.required ?? [])].sort()).toEqual(required.sort());
      expect(documented.additionalProperties).toBe(false);
    },
  );

  it.each([
    ['ClustersResponse', clustersResponseSchema],
    ['ClassifiedObject', classifiedObjectSchema],
    ['ClusterState', clusterStateSchema],
    ['UnfinishedChange', unfinishedChangeSchema],
    ['EntityMeshState', entityMeshStateSchema],
    ['ClusterPlan', clusterPlanSchema],
    ['ClusterApplyResult', clusterApplyResultSchema],
    ['ApplyResponse', applyResponseSchema],
    ['HistoryEntry', historyEntrySchema],
    ['HostTraffic', hostTrafficSchema],
    ['ServiceGraph', serviceGraphSchema],
    ['CanaryEvaluation', canaryEvaluationSchema],
    ['CanaryAnalysisState', canaryAnalysisStateSchema],
  ])(
    'documents %s with the fields of mesh-common’s response schema',
    (name, schema) => {
      const documented = spec.components.schemas[name];
      const shape = (schema as z.AnyZodObject).shape;
      expect(Object.keys(documented.properties).sort()).toEqual(
        Object.keys(shape).sort(),
      );
    },
  );

  describe('responses, as the backend answers them', () => {
    let sandbox: Sandbox;
    let server: any;
    const base = '/api/mesh/entities/component/default/reviews';
    const auth = () => mockCredentials.user.header();

    // A real Prometheus, so the live-traffic answer is documented as it really comes.
    const env = useDemoWithPrometheus({
      groups: { 'user:default/mock': [ADMIN_GROUP] },
    });
    beforeAll(() => ({ sandbox, server } = env));

    it('documents every field of every answer: clusters, state, plan, apply, history, rollback, removal, an invalid intent, an unfinished change', async () => {
      const get = (p: string) =>
        request(server).get(`/api/mesh${p}`).set('Authorization', auth());
      const post = (p: string, body: object) =>
        request(server)
          .post(`${base}${p}`)
          .set('Authorization', auth())
          .send(body);
      const state = async () =>
        (await get('/entities/component/default/reviews')).body;

      expectDocumented(
        '/clusters',
        'get',
        '200',
        (await get('/clusters')).body,
      );
      expectDocumented(ENTITY, 'get', '200', await state());
      const intent = {
        split: [
          { version: 'v1', weight: 80 },
          { version: 'v3', weight: 20 },
        ],
        timeout: '2s',
        retries: { attempts: 2 },
      };
      expectDocumented(
        `${ENTITY}/plan`,
        'post',
        '200',
        (await post('/plan', { intent })).body,
      );
      expectDocumented(
        `${ENTITY}/plan`,
        'post',
        '400',
        (await post('/plan', { intent: { split: [] } })).body,
      );
      const applied = await post('/apply', {
        intent,
        revision: (await state()).revision,
      });
      expect(applied.body.ok).toBe(true);
      expectDocumented(`${ENTITY}/apply`, 'post', '200', applied.body);
      expectDocumented(ENTITY, 'get', '200', await state());
      // Some traffic routed by the new split, scraped, then read back through the backend.
      await new Promise(r => setTimeout(r, 4000));
      const metrics = await get(
        '/entities/component/default/reviews/metrics?window=30s',
      );
      expect(metrics.body.callers.length).toBeGreaterThan(0);
      expectDocumented(`${ENTITY}/metrics`, 'get', '200', metrics.body);
      const graph = await get(
        '/entities/component/default/reviews/graph?window=30s',
      );
      expect(graph.body.inbound.length).toBeGreaterThan(0);
      expectDocumented(`${ENTITY}/graph`, 'get', '200', graph.body);
      for (const route of ['metrics', 'graph'])
        for (const window of ['5 minutes', '30d', '9999999h', '1s']) {
          const res = await get(
            `/entities/component/default/reviews/${route}?window=${encodeURIComponent(
              window,
            )}`,
          );
          expect({ route, window, status: res.status }).toEqual({
            route,
            window,
            status: 400,
          });
        }
      const history = (await get('/entities/component/default/reviews/history'))
        .body;
      expectDocumented(`${ENTITY}/history`, 'get', '200', history);
      const rollback = await post('/rollback', {
        to: history.items[0].id,
        revision: (await state()).revision,
      });
      expectDocumented(`${ENTITY}/rollback`, 'post', '200', rollback.body);

      const remove = async () =>
        request(server)
          .delete(`${base}/intent`)
          .query({ revision: (await state()).revision })
          .set('Authorization', auth());
      const removed = await remove();
      expect(removed.body.ok).toBe(true);
      expectDocumented(`${ENTITY}/intent`, 'delete', '200', removed.body);

      // From nothing, a change that fails on west and whose undo (deletes) fails on east: the
      // state then reports it unfinished, with each cluster's intent.
      failChangeAndItsUndo(sandbox);
      const failed = await post('/apply', {
        intent: { split: [{ version: 'v3', weight: 100 }] },
        revision: (await state()).revision,
      });
      expect(failed.body.clusters.map((c: any) => c.outcome)).toContain(
        'restore-failed',
      );
      expectDocumented(`${ENTITY}/apply`, 'post', '200', failed.body);
      sandbox.faults.reset();
      const unfinished = await state();
      expect(unfinished.unfinished).toBeDefined();
      expectDocumented(ENTITY, 'get', '200', unfinished);
      expectDocumented(
        `${ENTITY}/history`,
        'get',
        '200',
        (await get('/entities/component/default/reviews/history')).body,
      );
      expect((await remove()).body.ok).toBe(true);
    }, 30_000);
  });
});
