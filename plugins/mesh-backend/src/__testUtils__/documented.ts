import {
  applyResponseSchema,
  canaryAnalysisStateSchema,
  clustersResponseSchema,
  entityMeshStateSchema,
  historyResponseSchema,
  hostTrafficSchema,
  serviceGraphSchema,
  meshStatusSchema,
  invalidIntentResponseSchema,
  planResponseSchema,
  serviceAccountsResponseSchema,
} from '@meshtraffic/backstage-plugin-mesh-common';
import Ajv2019 from 'ajv/dist/2019';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The OpenAPI document and a check that an answer the backend gave is what both it and
 * mesh-common's strict zod schema say: the contract tests and the analysis' tests share it.
 */
export const spec = parse(
  fs.readFileSync(path.join(__dirname, '..', 'schema', 'openapi.yaml'), 'utf8'),
);

/** Object schemas that list their properties are closed: a response field the document lacks fails. */
function closed(schema: any, inAllOf = false): any {
  if (Array.isArray(schema)) return schema.map(s => closed(s, inAllOf));
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, closed(v, k === 'allOf')]),
  );
  if (!inAllOf && (schema.properties || schema.allOf))
    out.unevaluatedProperties = false;
  return out;
}

const ajv = new Ajv2019({
  strict: false,
  validateFormats: false,
  allErrors: true,
});
ajv.addSchema({ $id: 'openapi', components: closed(spec.components) });

/** The documented response schema of a route, with every $ref pointing into the document. */
function responseSchema(route: string, method: string, status: string) {
  const schema =
    spec.paths[route][method].responses[status].content['application/json']
      .schema;
  return JSON.parse(
    JSON.stringify(closed(schema)).replace(
      /"#\/components/g,
      '"openapi#/components',
    ),
  );
}

/** Each documented answer, and the mesh-common schema (strict) that says the same. */
const ZOD: Record<string, z.ZodTypeAny> = {
  '/clusters get 200': clustersResponseSchema,
  '/entities/{kind}/{namespace}/{name} get 200': entityMeshStateSchema,
  '/entities/{kind}/{namespace}/{name}/plan post 200': planResponseSchema,
  '/entities/{kind}/{namespace}/{name}/plan post 400':
    invalidIntentResponseSchema,
  '/entities/{kind}/{namespace}/{name}/apply post 200': applyResponseSchema,
  '/entities/{kind}/{namespace}/{name}/history get 200': historyResponseSchema,
  '/entities/{kind}/{namespace}/{name}/rollback post 200': applyResponseSchema,
  '/entities/{kind}/{namespace}/{name}/intent delete 200': applyResponseSchema,
  '/entities/{kind}/{namespace}/{name}/metrics get 200': hostTrafficSchema,
  '/entities/{kind}/{namespace}/{name}/graph get 200': serviceGraphSchema,
  '/meshes/{mesh}/status get 200': meshStatusSchema,
  '/meshes/{mesh}/service-accounts get 200': serviceAccountsResponseSchema,
  '/entities/{kind}/{namespace}/{name}/canary get 200':
    canaryAnalysisStateSchema,
};

export function expectDocumented(
  route: string,
  method: string,
  status: string,
  body: unknown,
) {
  const zodSchema = ZOD[`${route} ${method} ${status}`];
  const parsedByZod = zodSchema.safeParse(body);
  expect(parsedByZod.success ? [] : parsedByZod.error.issues).toEqual([]);
  const validate = ajv.compile(responseSchema(route, method, status));
  const ok = validate(body);
  expect(
    ok
      ? []
      : validate.errors!.map(
          e => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        ),
  ).toEqual([]);
}
