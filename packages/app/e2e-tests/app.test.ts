import { expect, Page, test } from '@playwright/test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const screenshots = path.join(root, 'docs/screenshots');
const kubeconfig =
  process.env.MESH_E2E_KUBECONFIG ?? path.join(root, '.sandbox/kubeconfig');

async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(page.getByText('Mesh Traffic Catalog')).toBeVisible();
}

/** The reviews VirtualService on a cluster, read through its API. */
async function liveVirtualService(cluster: string): Promise<any> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(cluster);
  return kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'networking.istio.io',
    version: 'v1',
    namespace: 'bookinfo',
    plural: 'virtualservices',
    name: 'reviews',
  });
}

/** The default route's weights of the reviews VirtualService on a cluster. */
async function liveWeights(cluster: string): Promise<string> {
  const vs = await liveVirtualService(cluster);
  return vs.spec.http
    .at(-1)
    .route.map((r: any) => `${r.destination.subset}=${r.weight}`)
    .join(',');
}

/** A tab of the Mesh content (the entity page has an Overview tab of its own). */
const meshTab = (page: Page, name: string) =>
  page
    .getByRole('tablist', { name: 'Mesh routing' })
    .getByRole('tab', { name });

/** A card by its region's name: the page scrolls inside Backstage's layout, so a page shot would cut it off. */
const card = (page: Page, title: string) =>
  page.getByRole('region', { name: title });

async function openMesh(page: Page) {
  await page.goto('/catalog/default/component/reviews/mesh');
  await expect(
    page.getByText(/routing is\s+written to east, west/),
  ).toBeVisible();
}

/** Review the edit a tab made, apply it, and expect both primaries to take it. */
async function reviewAndApply(
  page: Page,
  review: string,
  shot?: string,
  primaries = ['east', 'west'],
) {
  await page.getByRole('button', { name: review, exact: true }).click();
  const dialog = page.getByRole('dialog');
  for (const cluster of primaries)
    await expect(dialog.getByText(`${cluster}: dry run passed`)).toBeVisible();
  if (shot) await page.screenshot({ path: path.join(screenshots, shot) });
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  // A portal reused from an earlier run may already hold this routing: then nothing changes.
  for (const cluster of primaries)
    await expect(
      dialog.getByText(new RegExp(`^${cluster}: (applied|unchanged)$`)),
    ).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

/** Sets the Traffic split tab's weights by version, without reviewing them. */
async function setSplit(page: Page, weights: Record<string, number>) {
  await meshTab(page, 'Traffic split').click();
  // A split left narrowed to clusters opens by version and cluster: edit by version here.
  await page.getByRole('radio', { name: 'By version', exact: true }).check();
  const lock = (version: string) =>
    page.getByLabel(`Lock ${version}`, { exact: true });
  for (const version of Object.keys(weights)) await lock(version).uncheck();
  const entries = Object.entries(weights);
  // Lock each set weight so the next one moves only the rest.
  for (const [version, weight] of entries) {
    await page
      .getByLabel(`Weight of ${version} (percent)`, { exact: true })
      .fill(String(weight));
    await lock(version).check();
  }
  for (const [version] of entries) await lock(version).uncheck();
}

async function applySplit(
  page: Page,
  weights: Record<string, number>,
  shot?: string,
  primaries?: string[],
) {
  await setSplit(page, weights);
  if (shot) await page.screenshot({ path: path.join(screenshots, shot) });
  await reviewAndApply(
    page,
    'Review',
    shot && !primaries ? 'mesh-review.png' : undefined,
    primaries,
  );
}

/** The checkout HTTPRoute's default rule on a gamma cluster, read through its API, as `backend=weight`. */
async function liveHTTPRouteWeights(cluster: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(cluster);
  const route: any = await kc
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'storefront',
      plural: 'httproutes',
      name: 'checkout',
    });
  return route.spec.rules
    .at(-1)
    .backendRefs.map((b: any) => `${b.name}=${b.weight}`)
    .join(',');
}

test('the catalog lists the bookinfo services', async ({ page }) => {
  await signIn(page);
  for (const name of ['productpage', 'details', 'reviews', 'ratings']) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
});

test('the reviews page has a Mesh tab showing its mesh clusters', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/catalog/default/component/reviews');
  await expect(
    page.getByText('reviews.bookinfo.svc.cluster.local').first(),
  ).toBeVisible();
  await page.screenshot({
    path: path.join(screenshots, 'reviews-overview.png'),
  });
  // The new frontend system's entity page links its contents from a tab bar of links.
  await page.getByRole('link', { name: 'Mesh', exact: true }).click();
  await expect(
    page.getByText(/routing is\s+written to east, west/),
  ).toBeVisible();
  for (const cluster of [
    'East (primary)',
    'West (primary)',
    'Edge (remote of east)',
  ]) {
    await expect(page.getByText(cluster)).toBeVisible();
  }
  // The sandbox clusters npm start runs answer through the backend's credentials.
  await expect(page.getByText('reachable', { exact: true })).toHaveCount(3);
  // Each Mesh tab has its own path: a link opens it, and choosing a tab names it in the URL.
  await page.getByRole('tab', { name: 'Traffic split' }).click();
  await expect(page).toHaveURL(/\/reviews\/mesh\/split$/);
  await page.getByRole('tab', { name: 'Resilience' }).click();
  await expect(page).toHaveURL(/\/reviews\/mesh\/resilience$/);
  await page.getByRole('tab', { name: 'Overview' }).click();
  await expect(page).toHaveURL(/\/reviews\/mesh$/);
  await page.goto('/catalog/default/component/reviews/mesh/history');
  await expect(page.getByRole('tab', { name: 'History' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
});

test('a signed-in user outside bookinfo-team sees the Mesh tab read-only, with the reason', async ({
  page,
}) => {
  // ?as=viewer signs in as user:default/viewer, who is in no team that owns reviews.
  await page.goto('/catalog/default/component/reviews/mesh?as=viewer');
  await expect(
    page.getByText(/routing is\s+written to east, west/),
  ).toBeVisible();
  await meshTab(page, 'Traffic split').click();
  await expect(
    page.getByText(
      'You may not change this service’s routing: only its owners may.',
    ),
  ).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Review', exact: true }),
  ).toBeDisabled();
  await expect(page.getByLabel('Weight of v1 (percent)')).toBeDisabled();
  await page.screenshot({
    path: path.join(screenshots, 'viewer-read-only.png'),
  });
});

test('shift reviews to v1 70 / v3 30 on both primaries, then roll back from History', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });
  expect(await liveWeights('east')).toBe('v1=100');

  await applySplit(page, { v1: 70, v3: 30 }, 'mesh-traffic-split.png');
  expect(await liveWeights('east')).toBe('v1=70,v3=30');
  expect(await liveWeights('west')).toBe('v1=70,v3=30');

  await meshTab(page, 'Overview').click();
  await expect(
    page.getByRole('img', { name: 'Current split: v1 70%, v3 30%' }),
  ).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'reviews-mesh.png') });

  await meshTab(page, 'History').click();
  const rollbacks = page.getByRole('button', { name: /Roll back to change/ });
  await expect(rollbacks.nth(1)).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'mesh-history.png') });
  await rollbacks.nth(1).click();
  await expect(page.getByText(/Rolled back to change/)).toBeVisible();
  await expect.poll(() => liveWeights('east')).toBe('v1=100');
  expect(await liveWeights('west')).toBe('v1=100');
});

test('run a canary with a testers header on both primaries, then abort it', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });

  await meshTab(page, 'Canary & mirroring').click();
  await page.getByLabel('Candidate', { exact: true }).selectOption('v2');
  await page.getByLabel('Steps (percent to the candidate)').fill('10, 50, 100');
  await page.getByRole('radio', { name: 'Header' }).check();
  await page.getByLabel('Testers: header name').fill('x-canary');
  await page.getByLabel('Testers: value').fill('always');
  await page.screenshot({ path: path.join(screenshots, 'mesh-canary.png') });
  await reviewAndApply(page, 'Start canary');
  for (const cluster of ['east', 'west']) {
    const vs = await liveVirtualService(cluster);
    expect(vs.spec.http[0].match).toEqual([
      { headers: { 'x-canary': { exact: 'always' } } },
    ]);
    expect(vs.spec.http[0].route).toEqual([
      {
        destination: {
          host: 'reviews.bookinfo.svc.cluster.local',
          subset: 'v2',
        },
        weight: 100,
      },
    ]);
    expect(await liveWeights(cluster)).toBe('v1=90,v2=10');
  }

  await meshTab(page, 'Canary & mirroring').click();
  await expect(page.getByText(/Step 1 of 3: v2 gets 10%/)).toBeVisible();
  await reviewAndApply(page, 'Advance');
  expect(await liveWeights('west')).toBe('v1=50,v2=50');

  await meshTab(page, 'Canary & mirroring').click();
  await reviewAndApply(page, 'Abort');
  for (const cluster of ['east', 'west']) {
    const vs = await liveVirtualService(cluster);
    expect(vs.spec.http).toHaveLength(1);
    expect(await liveWeights(cluster)).toBe('v1=100');
  }
});

test('the fault injection and resilience tabs', async ({ page }) => {
  await signIn(page);
  await openMesh(page);
  await meshTab(page, 'Fault injection').click();
  await page.getByLabel('Delay duration').fill('2s');
  await page.getByLabel('Delayed percent').fill('50');
  await expect(page.getByLabel('Faulted requests: header name')).toHaveValue(
    'x-fault-injection',
  );
  await page.screenshot({
    path: path.join(screenshots, 'mesh-fault-injection.png'),
  });
  await page.getByRole('radio', { name: 'All traffic' }).check();
  await page.getByRole('button', { name: 'Review fault' }).click();
  await expect(
    page.getByText('Inject the fault into all traffic?'),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();

  await meshTab(page, 'Resilience').click();
  await page.getByLabel('Timeout', { exact: true }).fill('2s');
  await page.getByLabel('Consecutive 5xx errors').fill('3');
  await page.getByRole('button', { name: 'Add failover' }).click();
  await expect(page.getByLabel('Failover 1 from')).toHaveValue('us-east1');
  await page.screenshot({
    path: path.join(screenshots, 'mesh-resilience.png'),
    fullPage: true,
  });
});

test('the scaffolder offers the mesh templates and lists the mesh actions', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/create');
  for (const title of [
    'Shift traffic between versions',
    'Start a canary',
    'Onboard a service to the mesh',
  ]) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  await page.screenshot({ path: path.join(screenshots, 'mesh-templates.png') });
  // The installed-actions page reads GET /api/scaffolder/v2/actions.
  await page.goto('/create/actions');
  await expect(
    page.getByText('mesh:traffic:apply', { exact: true }),
  ).toBeVisible();
  await expect(
    page.getByText('mesh:traffic:plan', { exact: true }),
  ).toBeVisible();
});

test('live traffic on the Overview, and an automatic canary the analysis promotes with no click', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });

  // npm start runs a Prometheus that scrapes the sandbox: the Overview reads it through the backend.
  await meshTab(page, 'Overview').click();
  await expect(page.getByText('By cluster and version, last 1m')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByText(/^Calls from east:/)).toBeVisible();
  await card(page, 'Live traffic').screenshot({
    path: path.join(screenshots, 'mesh-live-traffic.png'),
  });

  await meshTab(page, 'Canary & mirroring').click();
  await page.getByLabel('Candidate', { exact: true }).selectOption('v3');
  await page.getByLabel('Steps (percent to the candidate)').fill('50, 100');
  await page
    .getByRole('checkbox', {
      name: "Advance automatically when every cluster's metrics pass",
    })
    .check();
  // Four scrapes (every 5 s) per interval, so each judgement has figures to go on.
  await page.getByLabel('Interval', { exact: true }).fill('20s');
  await page.getByLabel('Latency at most (ms)').fill('1000');
  await reviewAndApply(page, 'Start canary');
  expect(await liveWeights('east')).toBe('v1=50,v3=50');

  // The analysis judges step 1 on its own; the tab shows the evaluation as it happens.
  await meshTab(page, 'Canary & mirroring').click();
  await expect(page.getByText('Evaluations')).toBeVisible({
    timeout: 90_000,
  });
  await expect(page.getByText(/^west: \d+ req, 100% ok/).first()).toBeVisible();
  await card(page, 'Canary analysis').screenshot({
    path: path.join(screenshots, 'mesh-canary-analysis.png'),
  });
  await expect
    .poll(() => liveWeights('east'), { timeout: 120_000, intervals: [2000] })
    .toBe('v3=100');
  expect(await liveWeights('west')).toBe('v3=100');
  // v3 at 100% is the last step; the promotion (the canary's end) comes an interval later and
  // rewrites the DestinationRules: wait for it, so the next test does not plan under it.
  await meshTab(page, 'Canary & mirroring').click();
  await expect(page.getByText('No automatic canary is running.')).toBeVisible({
    timeout: 90_000,
  });
  await meshTab(page, 'History').click();
  await expect(
    page.getByText('plugin:mesh/canary-analysis').first(),
  ).toBeVisible();
});

test('the Graph tab shows who calls reviews and whom it calls across clusters, each linked to the catalog', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await meshTab(page, 'Graph').click();
  const graph = card(page, 'Service graph');
  await expect(graph.getByText('Callers and callees, last 5m')).toBeVisible({
    timeout: 30_000,
  });
  const caller = graph.getByRole('row').filter({ hasText: 'calls it' });
  // The demo runs productpage on east, and ratings on west only: reviews' calls to it cross over.
  await expect(caller.filter({ hasText: 'productpage' })).toContainText('east');
  await expect(caller.filter({ hasText: 'productpage' })).toContainText(
    'mutual TLS',
  );
  await expect(
    graph
      .getByRole('row')
      .filter({ hasText: 'called by it' })
      .filter({ hasText: 'ratings' }),
  ).toContainText(/declared\s*west/);
  await expect(
    graph.getByLabel('Service graph drawing').getByRole('link', {
      name: 'Open component:default/ratings',
    }),
  ).toBeVisible();
  await graph.screenshot({ path: path.join(screenshots, 'mesh-graph.png') });
  await caller.getByRole('link', { name: 'productpage' }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/productpage/);
});

test('the Review dialog shows the YAML each primary gets, and consistent hashing by cookie lands in the DestinationRule', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await meshTab(page, 'Resilience').click();
  await page.getByRole('button', { name: /Load balancing policy/ }).click();
  await page
    .getByRole('option', { name: 'Consistent hash (sticky sessions)' })
    .click();
  await page.getByRole('button', { name: /Hash on/ }).click();
  await page.getByRole('option', { name: 'a cookie' }).click();
  await page.getByLabel('Hash key name').fill('sid');
  await page.getByLabel('Cookie ttl').fill('30m');
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('east: dry run passed')).toBeVisible();
  await dialog.getByRole('tab', { name: 'YAML' }).click();
  await expect(dialog.getByLabel('east YAML', { exact: true })).toContainText(
    'httpCookie',
  );
  await page.screenshot({
    path: path.join(screenshots, 'mesh-review-yaml.png'),
  });
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  for (const cluster of ['east', 'west']) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    kc.setCurrentContext(cluster);
    const dr: any = await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: 'bookinfo',
        plural: 'destinationrules',
        name: 'reviews',
      });
    expect(dr.spec.trafficPolicy.loadBalancer.consistentHash).toEqual({
      httpCookie: { name: 'sid', ttl: '30m' },
    });
  }
});

test('the mesh status page shows both control planes with their versions, the proxies and the routed services', async ({
  page,
}) => {
  await signIn(page);
  // Routing from the portal, so the page has a routed service to show.
  await openMesh(page);
  await applySplit(page, { v1: 100 });
  await page.getByRole('link', { name: 'Mesh status' }).click();
  await expect(page.getByText('Control planes')).toBeVisible();
  for (const [deployment, version] of [
    ['istiod-1-24-2', '1.24.2'],
    ['istiod-1-23-4', '1.23.4'],
  ]) {
    const row = page.getByRole('row', { name: new RegExp(deployment) });
    await expect(row).toContainText(version);
  }
  await expect(
    page.getByRole('link', { name: 'component:default/reviews' }),
  ).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'mesh-status.png') });
});

test('a per-cluster split lands on both primaries, and the caller-cluster preset writes a sourceLabels route', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await meshTab(page, 'Traffic split').click();
  await page.getByRole('radio', { name: 'By version and cluster' }).check();
  for (const row of ['v1@east', 'v1@west', 'v2@east', 'v2@west', 'v3@west'])
    await page.getByLabel(`Lock ${row}`).uncheck();
  await page.getByLabel('Weight of v1@east (percent)').fill('70');
  await page.getByLabel('Lock v1@east').check();
  await page.getByLabel('Weight of v3@west (percent)').fill('30');
  await page.getByLabel('Lock v3@west').check();
  await page
    .getByRole('button', { name: "Send east's callers to west" })
    .click();
  await page.screenshot({
    path: path.join(screenshots, 'mesh-split-by-cluster.png'),
  });
  await reviewAndApply(page, 'Review');
  for (const cluster of ['east', 'west']) {
    const vs = await liveVirtualService(cluster);
    const subsets = vs.spec.http
      .at(-1)
      .route.map((r: any) => `${r.destination.subset}=${r.weight}`);
    expect(subsets).toEqual(['v1-east=70', 'v3-west=30']);
    expect(vs.spec.http[0].match).toEqual([
      { sourceLabels: { 'topology.istio.io/cluster': 'east' } },
    ]);
  }
});

test('a drift made with kubectl is shown and fixed by re-applying the last intent', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });
  // A hand edit on west, as an operator would make it.
  execFileSync('kubectl', [
    '--kubeconfig',
    kubeconfig,
    '--context',
    'west',
    '-n',
    'bookinfo',
    'patch',
    'virtualservice',
    'reviews',
    '--type=json',
    '-p',
    JSON.stringify([{ op: 'add', path: '/spec/http/0/timeout', value: '9s' }]),
  ]);
  await page.reload();
  await expect(page.getByText('Edited by hand on west')).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'mesh-drift.png') });
  await reviewAndApply(page, 'Re-apply the last intent');
  const vs = await liveVirtualService('west');
  expect(vs.spec.http[0].timeout).toBeUndefined();
  await expect(page.getByText('Edited by hand on west')).toHaveCount(0);
});

test('a regex URI route added on the Routes tab lands first on both primaries', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });
  await meshTab(page, 'Routes').click();
  await page.getByRole('button', { name: 'Add a route' }).click();
  const name = page.getByLabel(/^Route \d+: name$/).last();
  await name.fill('api-v3');
  await page
    .getByRole('button', { name: /api-v3 match 1 condition 1: how/ })
    .click();
  await page.getByRole('option', { name: 'regex' }).click();
  await page
    .getByLabel('api-v3 match 1 condition 1: value')
    .fill('^/api/v3/.*');
  await page
    .getByRole('button', { name: /api-v3 destination 1: version/ })
    .click();
  await page.getByRole('option', { name: 'v3' }).click();
  while (await page.getByRole('button', { name: 'Move api-v3 up' }).isEnabled())
    await page.getByRole('button', { name: 'Move api-v3 up' }).click();
  await page.screenshot({ path: path.join(screenshots, 'mesh-routes.png') });
  await reviewAndApply(page, 'Review');
  for (const cluster of ['east', 'west']) {
    const vs = await liveVirtualService(cluster);
    expect(vs.spec.http[0].match).toEqual([{ uri: { regex: '^/api/v3/.*' } }]);
  }
});

test('on the gamma mesh, written as Gateway API, a split lands as an HTTPRoute on both primaries', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/catalog/default/component/checkout/mesh');
  await expect(
    page.getByText(/routing is\s+written to north, south/),
  ).toBeVisible();
  await expect(page.getByText(/Routing API: Gateway API/)).toBeVisible();
  await meshTab(page, 'Traffic split').click();
  await expect(
    page.getByRole('radio', { name: 'By version and cluster' }),
  ).toBeDisabled();
  await expect(page.getByText(/not the cluster they come from/)).toBeVisible();
  await applySplit(page, { v1: 70, v2: 30 }, 'mesh-gateway-api.png', [
    'north',
    'south',
  ]);
  for (const cluster of ['north', 'south'])
    expect(await liveHTTPRouteWeights(cluster)).toBe(
      'checkout-v1=70,checkout-v2=30',
    );

  // The Review dialog's YAML shows the HTTPRoute and the version Services each cluster gets.
  await setSplit(page, { v1: 50, v2: 50 });
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('north: dry run passed')).toBeVisible();
  await dialog.getByRole('tab', { name: 'YAML' }).click();
  const northYaml = dialog.getByLabel('north YAML', { exact: true });
  await expect(northYaml).toContainText('kind: HTTPRoute');
  await expect(northYaml).toContainText('name: checkout-v2');
  // The HTTPRoute comes last (apply order): show the end of north's YAML.
  await northYaml.evaluate(el => el.scrollIntoView({ block: 'end' }));
  await page.screenshot({
    path: path.join(screenshots, 'mesh-gateway-api-yaml.png'),
  });
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  for (const cluster of ['north', 'south'])
    expect(await liveHTTPRouteWeights(cluster)).toBe(
      'checkout-v1=50,checkout-v2=50',
    );

  await meshTab(page, 'Fault injection').click();
  await expect(
    page.getByText(/standard channel has no fault injection/).first(),
  ).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Review fault' }),
  ).toBeDisabled();
});

test('a rollout started in the browser lands on east, bakes, then reaches west', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });
  // Wait for the page to have reloaded the state, so the edit below is not lost to a re-render.
  await meshTab(page, 'Overview').click();
  await expect(
    page.getByRole('img', { name: 'Current split: v1 100%' }),
  ).toBeVisible();
  await setSplit(page, { v1: 90, v2: 10 });
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('east: dry run passed')).toBeVisible();
  await expect(dialog.getByText(/weight: 90/).first()).toBeVisible();
  await dialog
    .getByRole('radio', { name: 'One cluster at a time (east, then west)' })
    .check();
  await dialog.getByLabel('Bake seconds').fill('10');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(
    dialog.getByText(/Wave 1 applied \(rollout #\d+\)/),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect(await liveWeights('east')).toBe('v1=90,v2=10');
  expect(await liveWeights('west')).toBe('v1=100');

  const rollout = card(page, 'Rollout');
  await expect(rollout.getByText(/wave 1 of 2 done, baking/)).toBeVisible();
  const waves = rollout.getByRole('table', { name: 'Waves' });
  await expect(waves.getByRole('row').nth(1)).toContainText('done');
  await expect(waves.getByRole('row').nth(2)).toContainText('pending');
  await expect(rollout.getByText(/west holds/)).toBeVisible();
  await rollout.screenshot({
    path: path.join(screenshots, 'mesh-rollout.png'),
  });

  // The scheduler applies wave 2 once the bake is over.
  await expect
    .poll(() => liveWeights('west'), { timeout: 60_000 })
    .toBe('v1=90,v2=10');
  // Once it ends, the Overview says how.
  await meshTab(page, 'Overview').click();
  await expect(
    card(page, 'Rollout').getByText(/wave 2 of 2 done, completed/),
  ).toBeVisible({ timeout: 30_000 });
});

/** The reviews AuthorizationPolicy's rules on a cluster, or undefined when it holds none. */
async function livePolicyRules(cluster: string): Promise<any[] | undefined> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(cluster);
  try {
    const policy: any = await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({
        group: 'security.istio.io',
        version: 'v1',
        namespace: 'bookinfo',
        plural: 'authorizationpolicies',
        name: 'reviews',
      });
    return policy.spec.rules;
  } catch (e: any) {
    if (e?.code === 404) return undefined;
    throw e;
  }
}

const principalsOf = (rules: any[] | undefined) =>
  rules?.flatMap(r => r.from.flatMap((f: any) => f.source.principals ?? []));

test('the Access tab lets only productpage call reviews on both primaries, names whom a narrower policy turns away before applying it, and lifts it in one click', async ({
  page,
}) => {
  await signIn(page);
  await openMesh(page);
  await meshTab(page, 'Access').click();
  const access = card(page, 'Who may call reviews');
  const picks = access.getByRole('table', { name: 'Callers to pick from' });
  // productpage is seen calling (its identity verified over mutual TLS) and declared in the catalog.
  await expect(
    picks.getByRole('row').filter({ hasText: 'bookinfo/productpage' }),
  ).toContainText('service account bookinfo/productpage', { timeout: 30_000 });
  await access
    .getByRole('button', { name: 'Allow bookinfo/productpage' })
    .click();
  await access.screenshot({ path: path.join(screenshots, 'mesh-access.png') });
  await access.getByRole('button', { name: 'Review', exact: true }).click();
  let dialog = page.getByRole('dialog');
  for (const cluster of ['east', 'west'])
    await expect(dialog.getByText(`${cluster}: dry run passed`)).toBeVisible();
  await expect(
    dialog.getByText(/Every caller seen over the last 30m is let in/),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  for (const cluster of ['east', 'west'])
    expect(principalsOf(await livePolicyRules(cluster))).toEqual([
      'cluster.local/ns/bookinfo/sa/productpage',
    ]);

  // A policy that lets in ratings only: the review names productpage before anything is written.
  await expect(
    access.getByText(/admits\s+only the callers below/),
  ).toBeVisible();
  await access.getByRole('button', { name: 'Remove rule 1' }).click();
  await access.getByRole('button', { name: 'Add rule' }).click();
  await access.getByLabel('Caller', { exact: true }).fill('bookinfo/ratings');
  await access.getByRole('button', { name: 'Add caller' }).click();
  await access.getByRole('button', { name: 'Review', exact: true }).click();
  dialog = page.getByRole('dialog');
  const turnedAway = dialog.getByRole('table', { name: 'Callers turned away' });
  await expect(
    turnedAway.getByRole('row').filter({ hasText: 'bookinfo/productpage' }),
  ).not.toHaveCount(0);
  const applyButton = dialog.getByRole('button', { name: 'Apply' });
  await expect(applyButton).toBeDisabled();
  await page.screenshot({
    path: path.join(screenshots, 'mesh-access-review.png'),
  });
  await dialog.getByLabel('Turn away bookinfo/productpage').check();
  await applyButton.click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  for (const cluster of ['east', 'west'])
    expect(principalsOf(await livePolicyRules(cluster))).toEqual([
      'cluster.local/ns/bookinfo/sa/ratings',
    ]);

  // Lifting it turns nobody away: one review, no confirmation.
  await access
    .getByRole('button', { name: 'Remove the access policy' })
    .click();
  dialog = page.getByRole('dialog');
  await expect(dialog.getByText('east: dry run passed')).toBeVisible();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  for (const cluster of ['east', 'west'])
    expect(await livePolicyRules(cluster)).toBeUndefined();
});
