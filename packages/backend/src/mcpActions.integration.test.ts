import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import {
  loadTopology,
  Sandbox,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { execFile } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import request from 'supertest';
import { bearer, startDemoPortal } from './__testUtils__/demoPortal';

jest.setTimeout(120_000);

const reviews = 'component:default/reviews';

/** The default route's weights of reviews' VirtualService on a cluster, as kubectl shows them. */
async function weightsOnCluster(sandbox: Sandbox, cluster: string) {
  const { stdout } = await promisify(execFile)('/usr/bin/kubectl', [
    '--kubeconfig',
    sandbox.kubeconfigPath,
    '--context',
    cluster,
    '-n',
    'bookinfo',
    'get',
    'virtualservice',
    'reviews',
    '-o',
    'json',
  ]);
  return JSON.parse(stdout)
    .spec.http.at(-1)
    .route.map((r: any) => `${r.destination.subset}=${r.weight}`);
}

/** An MCP client of the portal's MCP endpoint (Streamable HTTP) signed in as a user. */
async function mcpClientAs(baseUrl: string, user: string) {
  const client = new Client({ name: 'mesh-test-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(`${baseUrl}/api/mcp-actions/v1`),
      {
        requestInit: { headers: { Authorization: bearer(user) } },
      },
    ),
  );
  return client;
}

/** A tool's answer: its structured output, or the error text the MCP backend made of a refusal. */
async function call(client: Client, name: string, args: object) {
  const result: any = await client.callTool({ name, arguments: args as any });
  return result.isError
    ? { error: result.content[0].text as string }
    : { output: result.structuredContent as any };
}

/** Reads the service's routing through the action until the state satisfies a check (the caches see a fault within moments). */
async function untilReadable(agent: Client, check: (state: any) => boolean) {
  for (let i = 0; i < 100; i++) {
    const read = await call(agent, 'mesh.get-service-routing', {
      entityRef: reviews,
    });
    if (check(read.output.state)) return read;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('the state never showed what the test waits for');
}

/**
 * An agent's door to the mesh: the portal's MCP endpoint (`@backstage/plugin-mcp-actions-backend`)
 * over the Actions Registry, with the real permission backend, the shipped policy and the real
 * catalog; every call runs as the signed-in user, through the same checks as the REST API.
 */
describe('mesh actions over MCP', () => {
  let sandbox: Sandbox;
  let server: any;
  let baseUrl: string;
  const history = async () =>
    (
      await request(server)
        .get('/api/mesh/entities/component/default/reviews/history')
        .set('Authorization', bearer('user:default/guest'))
    ).body.items;

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
    ({ server } = await startDemoPortal({
      sandbox,
      features: [
        mcpActionsPlugin,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
      ],
      config: { backend: { actions: { pluginSources: ['mesh'] } } },
      // A Prometheus that does not answer: reads still come, saying why traffic does not.
      meshExtra: {
        prometheus: { url: 'http://127.0.0.1:9', requestTimeout: 2000 },
      },
    }));
    baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => sandbox?.stop());

  it('lists the mesh tools with honest hints, reads, plans and applies a 70/30 split as the guest, read back from east and west', async () => {
    const agent = await mcpClientAs(baseUrl, 'user:default/guest');
    const { tools } = await agent.listTools();
    const byName = Object.fromEntries(tools.map(t => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual([
      'mesh.apply-traffic-change',
      'mesh.get-mesh-status',
      'mesh.get-service-routing',
      'mesh.plan-traffic-change',
      'mesh.rollback-traffic-change',
    ]);
    expect(byName['mesh.get-service-routing'].annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
    expect(byName['mesh.apply-traffic-change'].annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
    });
    // The intent's shape comes from mesh-common's schema, for the agent to read.
    expect(
      (byName['mesh.plan-traffic-change'].inputSchema.properties as any).intent
        .properties.split,
    ).toBeDefined();

    const read = await call(agent, 'mesh.get-service-routing', {
      entityRef: reviews,
    });
    expect(read.output.state.target.service).toBe('reviews');
    expect(read.output.traffic).toBeUndefined();
    expect(read.output.trafficUnavailable).toBeDefined();
    const intent = {
      split: [
        { version: 'v1', weight: 70 },
        { version: 'v2', weight: 30 },
      ],
    };
    const planned = await call(agent, 'mesh.plan-traffic-change', {
      entityRef: reviews,
      intent,
    });
    expect(planned.output.plan.revision).toBe(read.output.state.revision);
    expect(
      planned.output.plan.clusters
        .filter((c: any) => c.changes.length)
        .map((c: any) => c.cluster)
        .sort(),
    ).toEqual(['east', 'west']);
    const applied = await call(agent, 'mesh.apply-traffic-change', {
      entityRef: reviews,
      intent,
      revision: planned.output.plan.revision,
    });
    expect(applied.output.ok).toBe(true);
    for (const cluster of ['east', 'west'])
      expect(await weightsOnCluster(sandbox, cluster)).toEqual([
        'v1=70',
        'v2=30',
      ]);
    // History says who, and which door: the guest, through the action.
    const [last] = await history();
    expect(last).toMatchObject({
      actor: 'user:default/guest',
      viaAction: 'mesh:apply-traffic-change',
      ok: true,
    });
    await agent.close();
  });

  it('refuses an apply with a stale revision with the 409, and an invalid intent naming the field, writing nothing', async () => {
    const agent = await mcpClientAs(baseUrl, 'user:default/guest');
    const before = await Promise.all(
      ['east', 'west'].map(c => weightsOnCluster(sandbox, c)),
    );
    const stale = await call(agent, 'mesh.apply-traffic-change', {
      entityRef: reviews,
      intent: { split: [{ version: 'v3', weight: 100 }] },
      revision: 'a-revision-from-before',
    });
    expect(stale.error).toMatch(
      /^ConflictError: the routing of component:default\/reviews changed since you loaded it/,
    );
    const invalid = await call(agent, 'mesh.plan-traffic-change', {
      entityRef: reviews,
      intent: { split: [{ version: 'v1', weight: 70 }] },
    });
    expect(invalid.error).toMatch(/^InputError: The intent is invalid: split/);
    expect(
      await Promise.all(
        ['east', 'west'].map(c => weightsOnCluster(sandbox, c)),
      ),
    ).toEqual(before);
    await agent.close();
  });

  it('writes nothing anywhere while a config cluster is unreachable, and says which', async () => {
    const agent = await mcpClientAs(baseUrl, 'user:default/guest');
    const before = await weightsOnCluster(sandbox, 'east');
    await sandbox.faults.down('west');
    try {
      // The agent reads what the page would show: west unreachable, and the revision with it.
      const { state } = (
        await untilReadable(agent, s =>
          s.clusters.some((c: any) => c.cluster === 'west' && !c.reachable),
        )
      ).output;
      const applied = await call(agent, 'mesh.apply-traffic-change', {
        entityRef: reviews,
        intent: {
          split: [
            { version: 'v1', weight: 40 },
            { version: 'v2', weight: 60 },
          ],
        },
        revision: state.revision,
      });
      expect(applied.output.ok).toBe(false);
      expect(applied.output.clusters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ cluster: 'west', outcome: 'unreachable' }),
          expect.objectContaining({
            cluster: 'east',
            message: 'not written: another config cluster is unreachable',
          }),
        ]),
      );
      expect(await weightsOnCluster(sandbox, 'east')).toEqual(before);
    } finally {
      await sandbox.faults.up('west');
      await agent.close();
    }
  });

  it('refuses the viewer, who owns nothing, as the REST API does, and nothing changes', async () => {
    const agent = await mcpClientAs(baseUrl, 'user:default/viewer');
    const before = await Promise.all(
      ['east', 'west'].map(c => weightsOnCluster(sandbox, c)),
    );
    const entries = await history();
    // Reading is every signed-in user's right; changing is the owners'.
    const read = await call(agent, 'mesh.get-service-routing', {
      entityRef: reviews,
    });
    const { revision } = read.output.state;
    const attempts = [
      await call(agent, 'mesh.apply-traffic-change', {
        entityRef: reviews,
        intent: { split: [{ version: 'v3', weight: 100 }] },
        revision,
      }),
      await call(agent, 'mesh.rollback-traffic-change', {
        entityRef: reviews,
        to: entries[0].id,
        revision,
      }),
    ];
    for (const attempt of attempts)
      expect(attempt.error).toMatch(
        /^NotAllowedError: you may not update the mesh routing of component:default\/reviews/,
      );
    expect(
      await Promise.all(
        ['east', 'west'].map(c => weightsOnCluster(sandbox, c)),
      ),
    ).toEqual(before);
    expect(await history()).toEqual(entries);
    await agent.close();
  });

  it('reads the mesh status through its action', async () => {
    const agent = await mcpClientAs(baseUrl, 'user:default/viewer');
    const status = await call(agent, 'mesh.get-mesh-status', { mesh: 'demo' });
    expect(status.output.clusters.map((c: any) => c.name).sort()).toEqual([
      'east',
      'edge',
      'west',
    ]);
    expect(status.output.configClusters.sort()).toEqual(['east', 'west']);
    await agent.close();
  });
});
