import {
  callerRate,
  edgeIdentities,
  edgeP99,
  edgeRate,
  latencyPercentile,
  requestCount,
  requestRate,
  versionRate,
  successRate,
  WINDOW,
} from './promql';

const host = 'reviews.bookinfo.svc.cluster.local';

describe('PromQL on Istio’s metrics', () => {
  it('asks for every cluster and version of a host in one query per figure', () => {
    expect(requestRate(host, '1m')).toBe(
      'sum by (destination_cluster, destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews"}[1m]))',
    );
    expect(successRate(host, '30s')).toBe(
      'sum by (destination_cluster, destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews",response_code!~"5.."}[30s])) / ' +
        'sum by (destination_cluster, destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews"}[30s]))',
    );
    expect(latencyPercentile(host, '5m', 0.99)).toBe(
      'histogram_quantile(0.99, sum by (le, destination_cluster, destination_version) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews"}[5m])))',
    );
    expect(callerRate(host, '1m')).toBe(
      'sum by (source_cluster, destination_version) (rate(istio_requests_total{reporter="source",destination_service_namespace="bookinfo",destination_canonical_service="reviews"}[1m]))',
    );
    expect(requestCount(host, '30s')).toBe(
      'sum by (destination_cluster, destination_version) (increase(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews"}[30s]))',
    );
    expect(versionRate(host, '1m')).toBe(
      'sum by (destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews"}[1m]))',
    );
  });

  it('asks for the service graph by both ends of each edge, every cluster at once', () => {
    const inbound =
      'source_canonical_service, source_workload_namespace, source_version, source_cluster, destination_version, destination_cluster';
    const outbound =
      'destination_canonical_service, destination_service_name, destination_service_namespace, destination_version, destination_cluster, source_version, source_cluster';
    const called =
      '{reporter="destination",destination_service_namespace="bookinfo",destination_canonical_service="reviews"';
    const calling =
      '{reporter="source",source_workload_namespace="bookinfo",source_canonical_service="reviews"';
    expect(edgeRate(host, 'inbound', '1m')).toBe(
      `sum by (${inbound}) (rate(istio_requests_total${called}}[1m]))`,
    );
    expect(edgeRate(host, 'outbound', '1m', true)).toBe(
      `sum by (${outbound}) (rate(istio_requests_total${calling},response_code=~"5.."}[1m]))`,
    );
    expect(edgeP99(host, 'outbound', '5m')).toBe(
      `histogram_quantile(0.99, sum by (le, ${outbound}) (rate(istio_request_duration_milliseconds_bucket${calling}}[5m])))`,
    );
    expect(edgeIdentities(host, 'inbound', '1m')).toBe(
      `sum by (${inbound}, connection_security_policy, source_principal) (rate(istio_requests_total${called}}[1m]))`,
    );
    expect(edgeIdentities(host, 'outbound', '1m')).toBe(
      `sum by (${outbound}, destination_principal) (rate(istio_requests_total${calling}}[1m]))`,
    );
    expect(edgeRate('a"}.ns', 'outbound', '1m')).toContain(
      'source_workload_namespace="ns",source_canonical_service="a\\"}"',
    );
  });

  it('quotes label values, so a host cannot break out of its selector', () => {
    expect(requestRate('a"} or vector(1) #.ns"x', '1m')).toContain(
      'destination_service_namespace="ns\\"x",destination_canonical_service="a\\"} or vector(1) #"',
    );
  });

  it('takes only windows Prometheus reads as a duration', () => {
    expect(['30s', '5m', '1h'].every(w => WINDOW.test(w))).toBe(true);
    expect(
      ['', '0s', '1d', '5m]) or vector(1', '1.5m'].some(w => WINDOW.test(w)),
    ).toBe(false);
  });
});
