import { expect, Page, test } from '@playwright/test';
import path from 'node:path';

const screenshots = path.resolve(__dirname, '../../../docs/screenshots');

async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(page.getByText('Mesh Traffic Catalog')).toBeVisible();
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
  await expect(page.getByRole('heading', { name: 'reviews' }).first()).toBeVisible();
  await expect(page.getByText('reviews.bookinfo.svc.cluster.local').first()).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'reviews-overview.png') });

  await page.getByRole('tab', { name: 'Mesh' }).click();
  await expect(page.getByText(/routing is\s+written to east, west/)).toBeVisible();
  for (const cluster of ['East (primary)', 'West (primary)', 'Edge (remote of east)']) {
    await expect(page.getByText(cluster)).toBeVisible();
  }
  // The sandbox clusters npm start runs answer through the backend's credentials.
  await expect(page.getByText('reachable', { exact: true })).toHaveCount(3);
  await page.screenshot({ path: path.join(screenshots, 'reviews-mesh.png') });
});
