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
import { stringify } from 'yaml';
import { Figure, ms } from './lib/figures';

const INTENTS = 10_000;
const YAML_SAMPLE = 10;
/** Validation and generation together take at most a quarter of what writing their output as YAML takes. */
const TARGET = 0.25;
/** Three config clusters; the fixture's workloads run on east and west. */
const topology = {
  id: 'bench',
  clusters: [
    { name: 'east', role: 'primary' as const },
    { name: 'west', role: 'primary' as const },
    { name: 'north', role: 'primary' as const },
  ],
};

/**
 * Validate each intent against the workloads, then generate it for each config cluster, as plan
 * does (one generation, shared); against a baseline measured in the same run on the same machine:
 * writing the very objects it generates as YAML, the manifests a person would otherwise keep and
 * `kubectl apply` (and what plan renders for its diffs). An absolute limit holds on one machine
 * only; the ratio holds on any.
 */
export async function run(): Promise<Figure[]> {
  const intents = fc.sample(validIntent, { numRuns: INTENTS, seed: 20261123 });
  const { configClusters } = placeConfig(topology);
  const started = performance.now();
  const generated: unknown[][] = [];
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
    )) {
      objects += cluster.objects.length;
      generated.push(cluster.objects);
    }
  }
  const elapsed = performance.now() - started;
  // Every tenth intent's objects, scaled by ten: the YAML library is slow enough that all of them
  // would make this the longest benchmark.
  const yamlStarted = performance.now();
  let bytes = 0;
  for (let i = 0; i < generated.length; i += YAML_SAMPLE)
    for (const obj of generated[i]) bytes += stringify(obj).length;
  const baseline = (performance.now() - yamlStarted) * YAML_SAMPLE;
  bytes *= YAML_SAMPLE;
  return [
    {
      name: `generator: validate ${INTENTS} intents, generate each for ${configClusters.length} clusters (${objects} objects)`,
      value: ms(elapsed),
      ratio: elapsed / baseline,
      against: `writing the same objects as YAML (${ms(baseline)}, about ${(
        bytes /
        1024 /
        1024
      ).toFixed(1)} MB)`,
      target: `<= ${TARGET}`,
      met: elapsed / baseline <= TARGET,
      note: `${((1000 * elapsed) / INTENTS).toFixed(0)} µs per intent`,
    },
  ];
}
