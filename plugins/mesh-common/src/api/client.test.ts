import { ResponseError } from '@backstage/errors';
import { MeshApiClient } from './client';

const reviews = { kind: 'Component', namespace: 'default', name: 'reviews' };
const intent = { split: [{ version: 'v1', weight: 100 }] };

/** A client over a transport that records each request and answers with the given response. */
function clientAnswering(status: number, body: unknown) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const client = new MeshApiClient({
    baseUrl: async () => 'http://backend/api/mesh',
    fetch: async (url, init) => {
      requests.push({ url, init });
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  });
  return { client, requests };
}

describe('MeshApiClient', () => {
  it('sends each route its method, path and JSON body', async () => {
    const { client, requests } = clientAnswering(200, { ok: true, items: [] });
    await client.getState({
      kind: 'Component',
      namespace: 'my ns',
      name: 'a/b',
    });
    await client.plan(reviews, { intent, adopt: true });
    await client.apply(reviews, { intent, revision: 'r1' });
    await client.getHistory(reviews);
    await client.rollback(reviews, { to: 3, revision: 'r1' });
    await client.removeRouting(reviews, 'r 1');
    expect(
      requests.map(r => `${r.init.method} ${r.url} ${r.init.body ?? ''}`),
    ).toEqual([
      'GET http://backend/api/mesh/entities/component/my%20ns/a%2Fb ',
      `POST http://backend/api/mesh/entities/component/default/reviews/plan ${JSON.stringify(
        { intent, adopt: true },
      )}`,
      `POST http://backend/api/mesh/entities/component/default/reviews/apply ${JSON.stringify(
        { intent, revision: 'r1' },
      )}`,
      'GET http://backend/api/mesh/entities/component/default/reviews/history ',
      `POST http://backend/api/mesh/entities/component/default/reviews/rollback ${JSON.stringify(
        { to: 3, revision: 'r1' },
      )}`,
      'DELETE http://backend/api/mesh/entities/component/default/reviews/intent?revision=r%201 ',
    ]);
    expect(requests[1].init.headers).toEqual({
      'Content-Type': 'application/json',
    });
  });

  it('answers an invalid intent (400 with issues) as { valid: false, issues }, for plan, apply and rollback', async () => {
    const issues = [
      { path: 'split[0].weight', message: 'weights must sum to 100' },
    ];
    const { client } = clientAnswering(400, {
      error: { name: 'InputError', message: 'The intent is invalid' },
      issues,
    });
    await expect(client.plan(reviews, { intent })).resolves.toEqual({
      valid: false,
      issues,
    });
    await expect(
      client.apply(reviews, { intent, revision: 'r1' }),
    ).resolves.toEqual({ valid: false, issues });
    await expect(
      client.rollback(reviews, { to: 1, revision: 'r1' }),
    ).resolves.toEqual({ valid: false, issues });
  });

  it('throws a ResponseError for any other failure, a 400 without issues included, with the backend’s message', async () => {
    const conflict = clientAnswering(409, {
      error: { name: 'ConflictError', message: 'the routing changed' },
      response: { statusCode: 409 },
    });
    const error = await conflict.client
      .apply(reviews, { intent, revision: 'r0' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error).toMatchObject({
      name: 'ConflictError',
      message: 'the routing changed',
    });
    const badRequest = clientAnswering(400, {
      error: {
        name: 'InputError',
        message: 'invalid apply request: revision: Required',
      },
    });
    await expect(
      badRequest.client.apply(reviews, { intent, revision: '' }),
    ).rejects.toBeInstanceOf(ResponseError);
    // A state read never turns a 400 into an answer.
    await expect(
      clientAnswering(400, { issues: [] }).client.getState(reviews),
    ).rejects.toBeInstanceOf(ResponseError);
  });
});
