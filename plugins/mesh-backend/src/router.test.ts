import { mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { serviceEntity } from './__testUtils__/meshBackend';
import { createRouter, RouterOptions } from './router';

const path = '/entities/component/default/reviews';
const intent = { split: [{ version: 'v1', weight: 100 }] };
const applied = {
  valid: true,
  ok: true,
  historyId: 1,
  clusters: [{ cluster: 'east', outcome: 'applied' }],
  revision: 'r2',
};

/**
 * The router alone, in the backend-plugin template's style: mock auth and permissions, the
 * services as jest mocks. It pins how input and service errors map to HTTP statuses.
 */
async function routerWith(
  overrides: {
    decision?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    services?: Record<string, Record<string, jest.Mock>>;
  } = {},
) {
  const services = {
    state: { meshFor: jest.fn(() => ({ id: 'demo' })) },
    status: { get: jest.fn(async () => ({ revision: 'r1' })) },
    planner: {
      plan: jest.fn(async () => ({
        valid: true,
        live: { revision: 'r1' },
        clusters: [],
        needsAdoption: false,
        adopt: false,
      })),
    },
    applier: {
      apply: jest.fn(async () => applied),
      remove: jest.fn(async () => applied),
    },
    store: {
      history: jest.fn(async () => []),
      entry: jest.fn(async () => undefined),
    },
    guard: {
      checkAdoption: jest.fn(async () => undefined),
    },
    authority: {
      checkWrite: jest.fn(async () => ({})),
      standing: jest.fn(async () => ({ others: [] })),
    },
    claims: { otherClaimants: jest.fn(async () => []) },
    clusters: { describe: jest.fn(async () => ({ meshes: [], clusters: [] })) },
    ...overrides.services,
  };
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async () => ({
      success: jest.fn(async () => undefined),
      fail: jest.fn(async () => undefined),
    })),
  });
  const router = await createRouter({
    ...(services as unknown as RouterOptions),
    auditor,
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions({
      result: overrides.decision ?? AuthorizeResult.ALLOW,
    }),
    catalog: catalogServiceMock({
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
    }),
  });
  const app = express().use(router).use(mockErrorHandler());
  return { app, services };
}

describe('the mesh router', () => {
  it('answers the entity state and a valid apply', async () => {
    const { app, services } = await routerWith();
    expect((await request(app).get(path)).body).toEqual({ revision: 'r1' });
    const res = await request(app)
      .post(`${path}/apply`)
      .send({ intent, revision: 'r1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      historyId: 1,
      clusters: [{ cluster: 'east', outcome: 'applied' }],
      revision: 'r2',
    });
    expect(services.applier.apply).toHaveBeenCalledWith(
      expect.objectContaining({
        intent,
        revision: 'r1',
        actor: 'user:default/mock',
        adopt: false,
      }),
    );
  });

  it.each([
    [
      'a missing revision',
      { intent },
      /^invalid apply request: revision: Required/,
    ],
    [
      'a revision that is not a string',
      { intent, revision: 7 },
      /^invalid apply request: revision: Expected string, received number$/,
    ],
    [
      'no intent',
      { revision: 'r1' },
      /^invalid apply request: intent: Required$/,
    ],
    [
      'a misspelt field',
      { intent, revision: 'r1', adpot: true },
      /^invalid apply request: \(body\): Unrecognized key\(s\) in object: 'adpot'$/,
    ],
    [
      'a task id too long',
      { intent, revision: 'r1', scaffolderTaskId: 'x'.repeat(256) },
      /^invalid apply request: scaffolderTaskId: String must contain at most 255/,
    ],
    [
      'a bad onboarding namespace',
      {
        intent,
        revision: 'r1',
        onboarding: { mesh: 'demo', namespace: 'Bad_NS', service: 'reviews' },
      },
      /^invalid apply request: onboarding.namespace: must be a Kubernetes namespace name$/,
    ],
  ])(
    'answers 400 naming the field to an apply with %s, and never calls the applier',
    async (_what, body, message) => {
      const { app, services } = await routerWith();
      const res = await request(app).post(`${path}/apply`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(message),
      });
      expect(services.applier.apply).not.toHaveBeenCalled();
    },
  );

  it('answers 400 with every issue and its path when the intent is invalid', async () => {
    const issues = [
      { path: 'split[0].weight', message: 'weights must sum to 100' },
    ];
    const { app } = await routerWith({
      services: {
        applier: { apply: jest.fn(async () => ({ valid: false, issues })) },
      },
    });
    const res = await request(app)
      .post(`${path}/apply`)
      .send({ intent: { split: [] }, revision: 'r1' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        name: 'InputError',
        message:
          'The intent is invalid: split[0].weight: weights must sum to 100',
      },
      issues,
    });
  });

  it('answers 400 to malformed JSON and 413 to a body over 256 kB, before any service is asked', async () => {
    const { app, services } = await routerWith();
    const malformed = await request(app)
      .post(`${path}/apply`)
      .set('Content-Type', 'application/json')
      .send('{"intent": ');
    expect(malformed.status).toBe(400);
    const huge = await request(app)
      .post(`${path}/apply`)
      .send({ intent, revision: 'r1', padding: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
    expect(services.applier.apply).not.toHaveBeenCalled();
  });

  it('answers 403 without the permission, naming the entity, and writes nothing', async () => {
    const { app, services } = await routerWith({
      decision: AuthorizeResult.DENY,
    });
    const res = await request(app)
      .post(`${path}/apply`)
      .send({ intent, revision: 'r1' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        'you may not update the mesh routing of component:default/reviews',
    });
    expect((await request(app).get(path)).status).toBe(403);
    expect(services.applier.apply).not.toHaveBeenCalled();
  });

  it('answers 404 for an entity the catalog does not have, and for a history entry that does not exist', async () => {
    const { app } = await routerWith();
    expect(
      (await request(app).get('/entities/component/default/nope')).status,
    ).toBe(404);
    const res = await request(app)
      .post(`${path}/rollback`)
      .send({ to: 99, revision: 'r1' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'no history entry 99 for component:default/reviews',
    );
  });

  it('answers 409 with the service’s message when the applier refuses', async () => {
    const { app } = await routerWith({
      services: {
        applier: {
          apply: jest.fn(async () =>
            Promise.reject(
              new ConflictError('the routing changed since you loaded it'),
            ),
          ),
        },
      },
    });
    const res = await request(app)
      .post(`${path}/apply`)
      .send({ intent, revision: 'r0' });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual(
      expect.objectContaining({
        name: 'ConflictError',
        message: 'the routing changed since you loaded it',
      }),
    );
  });

  it('answers 400 naming the field to a malformed plan or rollback', async () => {
    const { app } = await routerWith();
    const plan = await request(app)
      .post(`${path}/plan`)
      .send({ adopt: 'yes', intent });
    expect(plan.body.error.message).toBe(
      'invalid plan request: adopt: Expected boolean, received string',
    );
    const rollback = await request(app)
      .post(`${path}/rollback`)
      .send({ to: 'latest', revision: 'r1' });
    expect(rollback.body.error.message).toBe(
      'invalid rollback request: to: Expected number, received string',
    );
  });

  it('requires the revision to remove routing, from the query', async () => {
    const { app, services } = await routerWith();
    expect((await request(app).delete(`${path}/intent`)).status).toBe(400);
    expect(
      (await request(app).delete(`${path}/intent`).query({ revision: 'r1' }))
        .status,
    ).toBe(200);
    expect(services.applier.remove).toHaveBeenCalledWith(
      expect.objectContaining({ revision: 'r1' }),
    );
  });
});

describe('the mesh status route', () => {
  it('lists only the routed services whose catalog entity the caller may read', async () => {
    const row = (entityRef: string) => ({
      entityRef,
      host: 'h',
      summary: 's',
      clusters: [],
    });
    const { app } = await routerWith({
      services: {
        meshStatus: {
          status: jest.fn(async () => ({
            id: 'demo',
            services: [
              row('component:default/reviews'),
              row('component:default/hidden-from-caller'),
            ],
          })),
        },
      },
    });
    const res = await request(app).get('/meshes/demo/status');
    expect(res.status).toBe(200);
    expect(res.body.services.map((s: any) => s.entityRef)).toEqual([
      'component:default/reviews',
    ]);
  });
});

describe('the entity route', () => {
  it('names another claimant only to a caller who may read it in the catalog', async () => {
    const hidden = 'component:default/hidden-from-caller';
    const { app } = await routerWith({
      services: {
        status: {
          get: jest.fn(async () => ({
            revision: 'r1',
            claimedBy: [hidden],
            heldBy: hidden,
          })),
        },
        authority: {
          checkWrite: jest.fn(async () => ({})),
          standing: jest.fn(async () => ({
            others: [hidden],
            blocked: `reviews is also claimed by ${hidden}`,
          })),
        },
      },
    });
    const res = await request(app).get(path);
    expect(res.body).toEqual({
      revision: 'r1',
      claimedBy: ['an entity you may not read'],
      heldBy: 'an entity you may not read',
      writeBlocked: 'reviews is also claimed by an entity you may not read',
    });
  });
});
