import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Figure, median, ms, timed } from './lib/figures';
import {
  latencySandbox,
  meshServices,
  requestsAnswered,
  resetCounters,
  target,
} from './lib/meshServices';

const CLUSTERS = 4;
const LATENCY_MS = 100;
const SIZES = [10, 1_000, 10_000];
/** A new split each time, so no plan is answered from one made before. */
let planned = 0;
const nextIntent = () => {
  planned += 1;
  const v2 = 1 + (planned % 98);
  return {
    split: [
      { version: 'v1', weight: 100 - v2 },
      { version: 'v2', weight: v2 },
    ],
  };
};

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

interface Stall {
  /** The longest event-loop delay, ms. */
  longest: number;
  /** The longest garbage-collection pause in the same window, ms: part of any stall it falls in. */
  longestGc: number;
}

/** The longest event-loop stall while some work runs, and the longest GC pause among them. */
async function longestStall(work: () => Promise<unknown>): Promise<Stall> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  let longestGc = 0;
  const gc = new PerformanceObserver(list => {
    for (const e of list.getEntries())
      longestGc = Math.max(longestGc, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  h.enable();
  await work();
  h.disable();
  gc.disconnect();
  return { longest: h.max / 1e6, longestGc };
}

/** The worst of several syncs: the target is a limit on any stall. */
const worst = (stalls: Stall[]) =>
  stalls.reduce((a, b) => (b.longest > a.longest ? b : a));

interface SizeRun {
  size: number;
  read: number;
  plan: number;
  requestsPerRead: number;
  syncStalls: Stall[];
  readsStall: Stall;
  bytesPer10k: number;
}

/** One mesh size: 4 config clusters, each with `size` VirtualServices and as many DestinationRules of other teams. */
async function measure(size: number): Promise<SizeRun> {
  const sandbox = await latencySandbox(CLUSTERS, LATENCY_MS, {
    routingPairs: size,
  });
  const before = heapUsed();
  let services: Awaited<ReturnType<typeof meshServices>> | undefined;
  try {
    // meshServices' first read waits for every cluster's caches to sync.
    const syncStall = await longestStall(async () => {
      services = await meshServices(sandbox);
    });
    const s = services!;
    const bytesPer10k =
      ((heapUsed() - before) / (CLUSTERS * 2 * size)) * 10_000;
    // Two more replicas sync from scratch (beside the first, which keeps its caches): one sync's
    // longest stall is one sample, and GC makes it vary.
    const syncStalls = [syncStall];
    for (const _ of [1, 2]) {
      let replica: typeof services;
      syncStalls.push(
        await longestStall(async () => {
          replica = await meshServices(sandbox);
        }),
      );
      await replica!.close();
    }
    await resetCounters(sandbox);
    const read = await median(7, () => timed(() => s.status.get(target)));
    const requestsPerRead = (await requestsAnswered(sandbox)) / 7;
    const plan = await median(5, () =>
      timed(() => s.planner.plan(target, nextIntent())),
    );
    const readsStall = await longestStall(() =>
      Promise.all(Array.from({ length: 20 }, () => s.status.get(target))),
    );
    return {
      size,
      read,
      plan,
      requestsPerRead,
      syncStalls,
      readsStall,
      bytesPer10k,
    };
  } finally {
    await services?.close();
    await sandbox.stop();
  }
}

function stallFigure(name: string, stall: Stall, more?: string): Figure {
  return {
    name,
    value: ms(stall.longest),
    ratio: stall.longest / 50,
    against: 'limit 50 ms',
    target: '< 1',
    met: stall.longest < 50,
    note: [`longest GC pause in it: ${ms(stall.longestGc)}`, more]
      .filter(Boolean)
      .join('; '),
  };
}

/**
 * A service's state read and plan as the mesh grows from 10 to 10,000 routing objects of other
 * teams per config cluster: read from the watch caches' indexes, they cost the service's objects.
 */
export async function run(): Promise<Figure[]> {
  const runs: SizeRun[] = [];
  for (const size of SIZES) {
    process.stderr.write(`[bench] meshSize: ${size} per cluster\n`);
    runs.push(await measure(size));
  }
  const [small] = runs;
  const large = runs[runs.length - 1];
  const figures: Figure[] = runs.map(r => ({
    name: `state read, ${CLUSTERS} config clusters with ${r.size} VirtualServices + ${r.size} DestinationRules each, at ${LATENCY_MS} ms`,
    value: ms(r.read),
    ratio: r.read / small.read,
    against: `the same read at ${small.size} (${ms(small.read)})`,
    ...(r === large
      ? { target: '<= 1.2', met: r.read / small.read <= 1.2 }
      : {}),
    note: `${r.requestsPerRead.toFixed(1)} requests to clusters per read`,
  }));
  figures.push(
    ...runs.map(r => ({
      name: `plan, ${CLUSTERS} config clusters with ${r.size} + ${r.size} routing objects each`,
      value: ms(r.plan),
      ratio: r.plan / small.plan,
      against: `the same plan at ${small.size} (${ms(small.plan)})`,
      ...(r === large
        ? { target: '<= 1.2', met: r.plan / small.plan <= 1.2 }
        : {}),
      note: 'a server-side dry run of each object on every config cluster is the round trip it makes',
    })),
  );
  figures.push(
    {
      name: `state read requests to clusters once synced, at ${large.size}`,
      value: large.requestsPerRead.toFixed(1),
      against: 'requests per read',
      target: '= 0',
      met: large.requestsPerRead === 0,
    },
    stallFigure(
      `longest event-loop stall while ${CLUSTERS} clusters of ${large.size} + ${large.size} objects sync (the worst of 3 syncs)`,
      worst(large.syncStalls),
      `the 3 syncs: ${large.syncStalls.map(st => ms(st.longest)).join(', ')}`,
    ),
    stallFigure(
      `longest event-loop stall during 20 concurrent state reads at ${large.size}`,
      large.readsStall,
    ),
    {
      name: 'backend heap per 10,000 cached routing objects',
      value: `${(large.bytesPer10k / 1024 / 1024).toFixed(1)} MB`,
      ratio: large.bytesPer10k / (100 * 1024 * 1024),
      against: 'limit 100 MB',
      target: '< 1',
      met: large.bytesPer10k < 100 * 1024 * 1024,
    },
  );
  return figures;
}
