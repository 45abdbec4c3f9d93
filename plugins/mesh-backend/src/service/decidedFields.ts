import {
  canonicalJson,
  RoutingObject,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * What a write decides about an object (its labels, annotations and spec), as one comparable
 * string; server-set metadata is left out. An absent object has its own value.
 */
export function decidedFields(obj: RoutingObject | undefined): string {
  if (!obj) return 'absent';
  return canonicalJson({
    labels: obj.metadata.labels ?? {},
    annotations: obj.metadata.annotations ?? {},
    spec: obj.spec,
  });
}
