import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  MeshTarget,
  OnboardingTarget,
  meshTargetIssues,
  readMeshTarget,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * The target a request works on: the entity's annotations decide; a request may name one
 * (`onboarding`) only for an entity that has none yet. The namespace is still checked against the
 * mesh's allowed list wherever the target is used, as for an annotated entity.
 */
export function targetOf(
  entity: Entity,
  onboarding: OnboardingTarget | undefined,
): MeshTarget {
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
  return { ...onboarding, entityRef };
}
