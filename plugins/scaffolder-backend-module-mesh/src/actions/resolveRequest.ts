import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  applyTrafficChange,
  startingIntent,
  IntentIssue,
  MESH_ID_ANNOTATION,
  OnboardingTarget,
  readMeshTarget,
  runningVersions,
  validateChange,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshBackendClient } from '../client/MeshBackendClient';
import { MeshTrafficInput } from './inputSchema';

/** What a template asked for, resolved: the entity, the whole intent, and an onboarding target if any. */
export interface MeshTrafficRequest {
  entity: Entity;
  ref: CompoundEntityRef;
  intent: unknown;
  /** Set when the entity has no annotations yet: the target the template names. */
  onboarding?: OnboardingTarget;
  /** Where the routing is written: the onboarding target or the entity's annotations. */
  target: OnboardingTarget;
}

export function invalidIntentError(issues: IntentIssue[]): InputError {
  return new InputError(
    `The intent is invalid: ${issues
      .map(i => `${i.path || '(intent)'}: ${i.message}`)
      .join('; ')}`,
  );
}

async function findEntity(
  input: MeshTrafficInput,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<Entity> {
  if (input.entityRef) {
    const entity = await catalog.getEntityByRef(
      parseEntityRef(input.entityRef, { defaultKind: 'component' }),
      { credentials },
    );
    if (!entity)
      throw new InputError(`entityRef: no catalog entity ${input.entityRef}`);
    return entity;
  }
  const { mesh, namespace, service } = input;
  if (!mesh || !namespace || !service) {
    throw new InputError(
      'give entityRef, or mesh, namespace and service to find the entity annotated with them',
    );
  }
  const { items } = await catalog.getEntities(
    { filter: { [`metadata.annotations.${MESH_ID_ANNOTATION}`]: mesh } },
    { credentials },
  );
  const matches = items.filter(e => {
    const target = readMeshTarget(e);
    return target?.namespace === namespace && target.service === service;
  });
  if (matches.length !== 1) {
    throw new InputError(
      matches.length
        ? `several catalog entities name ${service} in ${namespace} of mesh ${mesh}; give entityRef`
        : `no catalog entity is annotated for ${service} in ${namespace} of mesh ${mesh}; give entityRef to onboard one`,
    );
  }
  return matches[0];
}

/** The onboarding target of an entity without annotations; the annotations decide for one that has them. */
function onboardingFor(
  entity: Entity,
  input: MeshTrafficInput,
): OnboardingTarget | undefined {
  const annotated = readMeshTarget(entity);
  const named = {
    mesh: input.mesh,
    namespace: input.namespace,
    service: input.service,
  };
  if (annotated) {
    for (const [key, value] of Object.entries(named)) {
      if (
        value !== undefined &&
        value !== annotated[key as keyof OnboardingTarget]
      ) {
        throw new InputError(
          `${key}: ${annotated.entityRef} is annotated with ${key} ${
            annotated[key as keyof OnboardingTarget]
          }, not ${value}`,
        );
      }
    }
    return undefined;
  }
  if (!named.mesh || !named.namespace) {
    throw new InputError(
      `${input.entityRef} has no mesh annotations: give mesh and namespace (and service) to onboard it`,
    );
  }
  return {
    mesh: named.mesh,
    namespace: named.namespace,
    service: named.service ?? entity.metadata.name,
  };
}

/**
 * Template forms leave optional fields as empty strings: they mean "not given". A testers rule
 * without a header or cookie name means "no testers".
 */
export function normalizeInput(input: MeshTrafficInput): MeshTrafficInput {
  const blank = (v?: string) => (v?.trim() ? v.trim() : undefined);
  const next = {
    ...input,
    entityRef: blank(input.entityRef),
    mesh: blank(input.mesh),
    namespace: blank(input.namespace),
    service: blank(input.service),
  };
  const canary = (
    input.change as
      | { canary?: { testers?: { header?: string; cookie?: string } } }
      | undefined
  )?.canary;
  if (
    canary?.testers &&
    !blank(canary.testers.header) &&
    !blank(canary.testers.cookie)
  ) {
    const { testers: _none, ...rest } = canary;
    next.change = { ...input.change, canary: rest };
  }
  return next;
}

/**
 * Resolves a template's input the way the Mesh tab would: a whole intent as given, or a partial
 * change applied to the live intent (which needs the state, read with the user's credentials).
 */
export async function resolveRequest(
  given: MeshTrafficInput,
  deps: {
    catalog: CatalogService;
    client: MeshBackendClient;
    credentials: BackstageCredentials;
  },
): Promise<MeshTrafficRequest> {
  const input = normalizeInput(given);
  if ((input.intent === undefined) === (input.change === undefined)) {
    throw new InputError(
      'give either intent (a whole traffic intent) or change (a partial change on top of the current one)',
    );
  }
  const entity = await findEntity(input, deps.catalog, deps.credentials);
  const ref = getCompoundEntityRef(entity);
  const onboarding = onboardingFor(entity, input);
  const target = onboarding ?? readMeshTarget(entity)!;
  if (input.intent !== undefined)
    return { entity, ref, intent: input.intent, onboarding, target };

  if (onboarding)
    throw new InputError(
      'change: an entity being onboarded has no intent to change; give a whole intent',
    );
  const checked = validateChange(input.change);
  if (!checked.ok) throw invalidIntentError(checked.issues);
  const state = await deps.client.getState(deps.credentials, ref);
  const versions = runningVersions(state.clusters.flatMap(c => c.workloads));
  try {
    return {
      entity,
      ref,
      target,
      intent: applyTrafficChange(
        startingIntent(state, versions),
        checked.change,
      ),
    };
  } catch (e) {
    throw new InputError(`change: ${(e as Error).message}`);
  }
}
