import { Figure, median, ms, timed } from './lib/figures';
import {
  latencySandbox,
  meshServices,
  oneRoundTrip,
  target,
} from './lib/meshServices';

const CLUSTERS = 50;
const LATENCY_MS = 100;

/** The Mesh tab's state read: workloads on every cluster and routing on config clusters, in parallel. */
export async function run(): Promise<Figure[]> {
  const sandbox = await latencySandbox(CLUSTERS, LATENCY_MS);
  const services = await meshServices(sandbox);
  try {
    const roundTrip = await median(5, async () =>
      timed(await oneRoundTrip(services)),
    );
    const read = await median(5, () =>
      timed(() => services.status.get(target)),
    );
    return [
      {
        name: `state read, ${CLUSTERS} clusters at ${LATENCY_MS} ms`,
        value: ms(read),
        ratio: read / roundTrip,
        against: `1 round trip (${ms(roundTrip)})`,
        target: '<= 1.5',
        met: read / roundTrip <= 1.5,
      },
    ];
  } finally {
    await services.close();
    await sandbox.stop();
  }
}
