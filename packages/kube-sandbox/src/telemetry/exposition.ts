/** Istio's default buckets for `istio_request_duration_milliseconds`. */
export const ISTIO_DURATION_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
  300000, 600000, 1800000, 3600000,
];

export type Labels = Record<string, string>;

const escape = (v: string) =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const render = (labels: Labels) =>
  `{${Object.keys(labels)
    .sort()
    .map(k => `${k}="${escape(labels[k])}"`)
    .join(',')}}`;
const keyOf = (labels: Labels) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map(k => [k, labels[k]]),
  );

/** A counter and a histogram family per label set, as Istio's Envoy exposes them, in the text format Prometheus scrapes. */
export class IstioMetrics {
  private readonly requests = new Map<
    string,
    { labels: Labels; value: number }
  >();
  private readonly durations = new Map<
    string,
    { labels: Labels; buckets: number[]; sum: number; count: number }
  >();

  record(labels: Labels, durationMs: number) {
    const key = keyOf(labels);
    const counter = this.requests.get(key) ?? { labels, value: 0 };
    counter.value += 1;
    this.requests.set(key, counter);
    const histogram = this.durations.get(key) ?? {
      labels,
      buckets: ISTIO_DURATION_BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    };
    ISTIO_DURATION_BUCKETS.forEach((le, i) => {
      if (durationMs <= le) histogram.buckets[i] += 1;
    });
    histogram.sum += durationMs;
    histogram.count += 1;
    this.durations.set(key, histogram);
  }

  /** The series whose labels pass `select`, in Prometheus' text exposition format. */
  text(select: (labels: Labels) => boolean): string {
    const lines = [
      '# HELP istio_requests_total Total requests.',
      '# TYPE istio_requests_total counter',
    ];
    for (const { labels, value } of this.requests.values())
      if (select(labels))
        lines.push(`istio_requests_total${render(labels)} ${value}`);
    lines.push(
      '# HELP istio_request_duration_milliseconds Request duration in milliseconds.',
      '# TYPE istio_request_duration_milliseconds histogram',
    );
    for (const h of this.durations.values()) {
      if (!select(h.labels)) continue;
      ISTIO_DURATION_BUCKETS.forEach((le, i) =>
        lines.push(
          `istio_request_duration_milliseconds_bucket${render({
            ...h.labels,
            le: String(le),
          })} ${h.buckets[i]}`,
        ),
      );
      lines.push(
        `istio_request_duration_milliseconds_bucket${render({
          ...h.labels,
          le: '+Inf',
        })} ${h.count}`,
      );
      lines.push(
        `istio_request_duration_milliseconds_sum${render(h.labels)} ${h.sum}`,
      );
      lines.push(
        `istio_request_duration_milliseconds_count${render(h.labels)} ${
          h.count
        }`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
