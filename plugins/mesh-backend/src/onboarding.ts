import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DNS_1123_LABEL,
  MeshTarget,
  meshTargetIssues,
  readMeshTarget,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { z } from 'zod';

/** What the onboarding template names for an entity whose catalog-info.yaml does not carry the annotations yet. */
const onboardingSchema = z
  .object({
    mesh: z.string().min(1).max(63),
    namespace: z
      .string()
      .max(63)
      .regex(DNS_1123_LABEL, 'must be a Kubernetes namespace name'),
    service: z
      .string()
      .max(63)
      .regex(DNS_1123_LABEL, 'must be a Kubernetes Service name'),
  })
  .strict();

/**
 * The target a request works on: the entity's annotations decide; a request may name one
 * (`onboarding`) only for an entity that has none yet. The namespace is still checked against the
 * mesh's allowed list wherever the target is used, as for an annotated entity.
 */
export function targetOf(entity: Entity, onboarding: unknown): MeshTarget {
  const entityRef = stringifyEntityRef(entity);
  const annotated = readMeshTarget(entity);
  if (onboarding === undefined) {
    if (!annotated)
      throw new NotFoundError(
        `${entityRef} has no mesh.meshtraffic.io/mesh annotation`,
      );
    const issues = meshTargetIssues(entity);
    if (issues.length) {
      throw new InputError(
        `${entityRef} names its mesh target badly: ${issues
          .map(i => `annotation ${i.annotation}: ${i.message}`)
          .join('; ')}`,
      );
    }
    return annotated;
  }
  if (annotated) {
    throw new InputError(
      `${entityRef} already names its mesh target in its annotations; onboarding is for entities without them`,
    );
  }
  const parsed = onboardingSchema.safeParse(onboarding);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      i => `onboarding.${i.path.join('.')}: ${i.message}`,
    );
    throw new InputError(`invalid onboarding target: ${issues.join('; ')}`);
  }
  return { ...parsed.data, entityRef };
}
