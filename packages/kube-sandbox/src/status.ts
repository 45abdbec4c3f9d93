/** A Kubernetes `Status` failure, as the API server sends it. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: {
      name?: string;
      group?: string;
      kind?: string;
      causes?: StatusCause[];
    },
  ) {
    super(message);
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

type Ref = { kind: string; group: string; name: string; resource: string };

const qualified = (r: Ref) =>
  r.group ? `${r.resource}.${r.group}` : r.resource;

export const notFound = (r: Ref) =>
  new StatusError(404, 'NotFound', `${qualified(r)} "${r.name}" not found`, {
    name: r.name,
    group: r.group,
    kind: r.resource,
  });

export const alreadyExists = (r: Ref) =>
  new StatusError(
    409,
    'AlreadyExists',
    `${qualified(r)} "${r.name}" already exists`,
    { name: r.name, group: r.group, kind: r.resource },
  );

export const conflict = (r: Ref, message: string, causes?: StatusCause[]) =>
  new StatusError(409, 'Conflict', message, {
    name: r.name,
    group: r.group,
    kind: r.resource,
    ...(causes ? { causes } : {}),
  });

export const invalid = (r: Ref, causes: StatusCause[]) =>
  new StatusError(
    422,
    'Invalid',
    `${r.kind}.${r.group || 'core'} "${r.name}" is invalid: ${causes
      .map(c => `${c.field}: ${c.message}`)
      .join(', ')}`,
    { name: r.name, group: r.group, kind: r.kind, causes },
  );

export const badRequest = (message: string) =>
  new StatusError(400, 'BadRequest', message);

export const unauthorized = () =>
  new StatusError(401, 'Unauthorized', 'Unauthorized');

export const methodNotSupported = (message: string) =>
  new StatusError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (type: string) =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${type})`,
  );

/** 410 Gone: a resourceVersion (of a watch or a continue token) older than the history kept. */
export const expired = (message: string) =>
  new StatusError(410, 'Expired', message);
