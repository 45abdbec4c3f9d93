import {
  canonicalJson,
  comparableSpec,
  RoutingObject,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * What a write decides about an object (its labels, annotations and spec), as one comparable
 * string; server-set metadata is left out, and so are the fields the API server sets on a Service
 * (its cluster IP, type, ...). An absent object has its own value.
 */
export function decidedFields(obj: RoutingObject | undefined): string {
  if (!obj) return 'absent';
  return canonicalJson({
    labels: obj.metadata.labels ?? {},
    annotations: obj.metadata.annotations ?? {},
    spec: comparableSpec(obj),
  });
}
