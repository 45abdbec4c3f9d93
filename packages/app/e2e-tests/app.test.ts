import { expect, Page, test } from '@playwright/test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const screenshots = path.join(root, 'docs/screenshots');
const kubeconfig = process.env.MESH_E2E_KUBECONFIG ?? path.join(root, '.sandbox/kubeconfig');

async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(page.getByText('Mesh Traffic Catalog')).toBeVisible();
}

/** The default route's weights of the reviews VirtualService on a cluster, read through its API. */
async function liveWeights(cluster: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(cluster);
  const vs: any = await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'networking.istio.io',
    version: 'v1',
    namespace: 'bookinfo',
    plural: 'virtualservices',
    name: 'reviews',
  });
  return vs.spec.http
    .at(-1)
    .route.map((r: any) => `${r.destination.subset}=${r.weight}`)
    .join(',');
}

/** A tab of the Mesh content (the entity page has an Overview tab of its own). */
const meshTab = (page: Page, name: string) => page.getByRole('tablist', { name: 'Mesh routing' }).getByRole('tab', { name });

async function openMesh(page: Page) {
  await page.goto('/catalog/default/component/reviews/mesh');
  await expect(page.getByText(/routing is\s+written to east, west/)).toBeVisible();
}

async function applySplit(page: Page, weights: Record<string, number>, shot?: string) {
  await meshTab(page, 'Traffic split').click();
  for (const [version, weight] of Object.entries(weights)) {
    await page.getByLabel(`Lock ${version}`).uncheck();
  }
  const entries = Object.entries(weights);
  // Lock each set weight so the next one moves only the rest.
  for (const [version, weight] of entries) {
    await page.getByLabel(`Weight of ${version} (percent)`).fill(String(weight));
    await page.getByLabel(`Lock ${version}`).check();
  }
  for (const [version] of entries) await page.getByLabel(`Lock ${version}`).uncheck();
  if (shot) await page.screenshot({ path: path.join(screenshots, shot) });
  await page.getByRole('button', { name: 'Review' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('east: dry run passed')).toBeVisible();
  await expect(dialog.getByText('west: dry run passed')).toBeVisible();
  if (shot) await page.screenshot({ path: path.join(screenshots, 'mesh-review.png') });
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByText('Applied.')).toBeVisible();
  // A portal reused from an earlier run may already hold this split: then nothing changes.
  await expect(dialog.getByText(/^east: (applied|unchanged)$/)).toBeVisible();
  await expect(dialog.getByText(/^west: (applied|unchanged)$/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

test('the catalog lists the bookinfo services', async ({ page }) => {
  await signIn(page);
  for (const name of ['productpage', 'details', 'reviews', 'ratings']) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
});

test('the reviews page has a Mesh tab showing its mesh clusters', async ({ page }) => {
  await signIn(page);
  await page.goto('/catalog/default/component/reviews');
  await expect(page.getByText('reviews.bookinfo.svc.cluster.local').first()).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'reviews-overview.png') });
  await page.getByRole('tab', { name: 'Mesh' }).click();
  await expect(page.getByText(/routing is\s+written to east, west/)).toBeVisible();
  for (const cluster of ['East (primary)', 'West (primary)', 'Edge (remote of east)']) {
    await expect(page.getByText(cluster)).toBeVisible();
  }
  // The sandbox clusters npm start runs answer through the backend's credentials.
  await expect(page.getByText('reachable', { exact: true })).toHaveCount(3);
});

test('shift reviews to v1 70 / v3 30 on both primaries, then roll back from History', async ({ page }) => {
  await signIn(page);
  await openMesh(page);
  await applySplit(page, { v1: 100 });
  expect(await liveWeights('east')).toBe('v1=100');

  await applySplit(page, { v1: 70, v3: 30 }, 'mesh-traffic-split.png');
  expect(await liveWeights('east')).toBe('v1=70,v3=30');
  expect(await liveWeights('west')).toBe('v1=70,v3=30');

  await meshTab(page, 'Overview').click();
  await expect(page.getByRole('img', { name: 'Current split: v1 70%, v3 30%' })).toBeVisible();
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
