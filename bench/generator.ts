import {
  generateForClusters,
  placeConfig,
  validateIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import fc from 'fast-check';
import { validIntent } from '../plugins/mesh-common/src/__testUtils__/arbitraries';
import {
  reviewsTarget,
  reviewsWorkloads,
} from '../plugins/mesh-common/src/__testUtils__/bookinfo';
import { Figure, ms } from './lib/figures';

const INTENTS = 10_000;
const LIMIT_MS = 1_000;
/** Three config clusters; the fixture's workloads run on east and west. */
const topology = {
  id: 'bench',
  clusters: [
    { name: 'east', role: 'primary' as const },
    { name: 'west', role: 'primary' as const },
    { name: 'north', role: 'primary' as const },
  ],
};

/** Validate each intent against the workloads, then generate it for each config cluster, as plan does (one generation, shared). */
export async function run(): Promise<Figure[]> {
  const intents = fc.sample(validIntent, { numRuns: INTENTS, seed: 20261123 });
  const { configClusters } = placeConfig(topology);
  const started = performance.now();
  let objects = 0;
  for (const intent of intents) {
    const checked = validateIntent(intent, { workloads: reviewsWorkloads });
    if (!checked.ok)
      throw new Error(
        `a generated intent is invalid: ${JSON.stringify(checked.issues)}`,
      );
    for (const cluster of generateForClusters(
      reviewsTarget,
      checked.intent,
      configClusters,
    ))
      objects += cluster.objects.length;
  }
  const elapsed = performance.now() - started;
  return [
    {
      name: `generator: validate ${INTENTS} intents, generate each for ${configClusters.length} clusters (${objects} objects)`,
      value: ms(elapsed),
      ratio: elapsed / LIMIT_MS,
      against: `limit ${ms(LIMIT_MS)}`,
      target: '< 1',
      met: elapsed < LIMIT_MS,
    },
  ];
}
