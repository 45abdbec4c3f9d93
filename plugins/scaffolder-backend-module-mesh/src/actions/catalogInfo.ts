import { Entity } from '@backstage/catalog-model';
import {
  MESH_ID_ANNOTATION,
  MESH_NAMESPACE_ANNOTATION,
  MESH_SERVICE_ANNOTATION,
  OnboardingTarget,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { stringify } from 'yaml';

/** Annotations the catalog adds on ingestion; they do not belong in a catalog-info.yaml. */
const INGESTION_ANNOTATIONS = [
  'backstage.io/managed-by-location',
  'backstage.io/managed-by-origin-location',
  'backstage.io/view-url',
  'backstage.io/edit-url',
  'backstage.io/source-location',
];

/** The entity as its catalog-info.yaml should read: its own fields plus the mesh annotations of its target. */
export function onboardedEntity(
  entity: Entity,
  target: OnboardingTarget,
): Entity {
  const {
    uid: _uid,
    etag: _etag,
    ...metadata
  } = entity.metadata as Entity['metadata'] & { uid?: string; etag?: string };
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(
      ([key]) => !INGESTION_ANNOTATIONS.includes(key),
    ),
  );
  return {
    apiVersion: entity.apiVersion,
    kind: entity.kind,
    metadata: {
      ...metadata,
      annotations: {
        ...annotations,
        [MESH_ID_ANNOTATION]: target.mesh,
        [MESH_NAMESPACE_ANNOTATION]: target.namespace,
        [MESH_SERVICE_ANNOTATION]: target.service,
      },
    },
    ...(entity.spec ? { spec: entity.spec } : {}),
  };
}

export const catalogInfoYaml = (entity: Entity) => stringify(entity);
