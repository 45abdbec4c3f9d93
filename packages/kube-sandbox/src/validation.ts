import { evaluate } from '@marcbachmann/cel-js';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { StatusCause } from './status';
import { PACKAGE_DIR } from './topologies';

type Schema = Record<string, any>;

interface CompiledVersion {
  validate: ValidateFunction;
  schema: Schema;
}

/** Istio's networking CRDs, its AuthorizationPolicy, and Gateway API's standard-channel routes (v1.5.1), as a cluster has them installed. */
export const CRD_FILES = [
  path.join(PACKAGE_DIR, 'crds', 'istio-networking.yaml'),
  path.join(PACKAGE_DIR, 'crds', 'istio-security.yaml'),
  ...['httproutes', 'grpcroutes', 'referencegrants'].map(name =>
    path.join(PACKAGE_DIR, 'crds', 'gateway-api', `${name}.yaml`),
  ),
];

/** Drops the Kubernetes extensions ajv does not know; CEL rules are checked separately. */
function forAjv(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forAjv);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(
            Object.entries(v as object).map(([p, s]) => [p, forAjv(s)]),
          )
        : forAjv(v);
  }
  return out;
}

/** `/spec/http/0/route` -> `spec.http[0].route`, as the API server names fields. */
export function fieldPath(pointer: string[]): string {
  let out = '';
  for (const part of pointer) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function ajvCause(error: ErrorObject): StatusCause {
  const pointer = error.instancePath
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') {
    const field = fieldPath([
      ...pointer,
      String(error.params.additionalProperty),
    ]);
    return {
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: field not declared in schema`,
    };
  }
  if (error.keyword === 'required') {
    const field = fieldPath([...pointer, String(error.params.missingProperty)]);
    return { reason: 'FieldValueRequired', field, message: 'Required value' };
  }
  const field = fieldPath(pointer);
  const reason =
    error.keyword === 'enum' ? 'FieldValueNotSupported' : 'FieldValueInvalid';
  return {
    reason,
    field,
    message: `Invalid value: ${JSON.stringify(error.data)}: ${field} in body ${
      error.message
    }`,
  };
}

/**
 * The rule as cel-js can run it. CEL lets has() test a field of any expression; cel-js only of a
 * plain selection chain, so `has(self.matches[0].path)` (Gateway API's rules) is rewritten to the
 * equivalent `'path' in self.matches[0]`, which holds for the JSON objects these rules read.
 */
export function portableRule(rule: string): string {
  return rule.replace(
    /has\(([^()]*\[[^\]]+\])\.([A-Za-z_][A-Za-z0-9_]*)\)/g,
    "('$2' in $1)",
  );
}

/** Evaluates the CRD's CEL rules (x-kubernetes-validations) along the object. */
function celCauses(
  schema: Schema | undefined,
  value: unknown,
  pointer: string[],
  out: StatusCause[],
) {
  if (!schema || value === undefined || value === null) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    let ok = false;
    try {
      ok = evaluate(portableRule(rule.rule), { self: value }) === true;
    } catch {
      ok = false;
    }
    if (!ok) {
      const field = fieldPath(pointer);
      out.push({
        reason: 'FieldValueInvalid',
        field,
        message: `Invalid value: ${JSON.stringify(value)}: ${
          rule.message ?? `failed rule: ${rule.rule}`
        }`,
      });
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) =>
      celCauses(schema.items, item, [...pointer, String(i)], out),
    );
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as object)) {
      const child =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object'
          ? schema.additionalProperties
          : undefined);
      celCauses(child, v, [...pointer, k], out);
    }
  }
}

/**
 * A deep copy made of this realm's own objects and arrays: cel-js refuses objects of another
 * realm, which structuredClone makes under jest.
 */
function plainCopy(value: unknown): unknown {
  // Literals, not map() or fromEntries(): those make arrays of the source array's realm.
  if (Array.isArray(value)) {
    const list: unknown[] = [];
    for (const item of value) list.push(plainCopy(item));
    return list;
  }
  if (value && typeof value === 'object') {
    const record: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) record[k] = plainCopy(v);
    return record;
  }
  return value;
}

/**
 * Fills in the schema's `default`s where a field is absent, depth first, as the API server does
 * before it validates (and so before CEL rules read, e.g., a backendRef's `kind`).
 */
function applyDefaults(schema: Schema | undefined, value: unknown): void {
  if (!schema || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(schema.items, item);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const property = child as Schema;
    if (record[key] === undefined && property.default !== undefined)
      record[key] = plainCopy(property.default);
    applyDefaults(property, record[key]);
  }
  if (typeof schema.additionalProperties === 'object')
    for (const [key, item] of Object.entries(record))
      if (!(key in (schema.properties ?? {})))
        applyDefaults(schema.additionalProperties, item);
}

/**
 * Judges objects by the CRDs' structural schemas and CEL rules, as an API server with those CRDs
 * installed would, and reports each problem with its field path.
 */
export class CrdValidator {
  private readonly versions = new Map<string, CompiledVersion>();

  static fromFiles(files = CRD_FILES): CrdValidator {
    const validator = new CrdValidator();
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
      verbose: true,
    });
    const docs = files.flatMap(file =>
      parseAllDocuments(fs.readFileSync(file, 'utf8')),
    );
    for (const doc of docs) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema.openAPIV3Schema as Schema;
        validator.versions.set(`${crd.metadata.name}/${version.name}`, {
          validate: ajv.compile(forAjv(schema) as object),
          schema,
        });
      }
    }
    return validator;
  }

  /** Sets the defaults of `crd`'s schema at `version` on `obj`, in place. */
  applyDefaults(crd: string, version: string, obj: Record<string, unknown>) {
    const compiled = this.versions.get(`${crd}/${version}`);
    if (compiled) applyDefaults(compiled.schema.properties?.spec, obj.spec);
  }

  /** The problems of an object of `crd` at `version`; empty when it is valid. */
  validate(
    crd: string,
    version: string,
    obj: Record<string, unknown>,
  ): StatusCause[] {
    const compiled = this.versions.get(`${crd}/${version}`);
    if (!compiled) return [];
    const causes: StatusCause[] = [];
    const { metadata: _metadata, ...body } = obj;
    if (!compiled.validate(body))
      causes.push(...(compiled.validate.errors ?? []).map(ajvCause));
    // A copy of this realm's own objects: the store's structuredClone makes others under jest.
    const spec = plainCopy(obj.spec);
    celCauses(compiled.schema.properties?.spec, spec, ['spec'], causes);
    return causes;
  }
}
