import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ForbiddenError, NotFoundError, UnavailableError, ValidationError } from '../domain/errors.ts';
import { databaseUnavailable } from '../storage/store.ts';

/** The exact bodies of auth-spec.md. */
export const UNAUTHORIZED = { error: 'Invalid or missing API key' } as const;
export const FORBIDDEN = { error: 'Insufficient permissions for this action' } as const;

/** Resources whose recorded 404 body uses `error` instead of `message` (api-contract §1.7). */
const ERROR_KEYED_404 = new Set(['Status page', 'Subscriber']);

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldName(path: string): string {
  return path
    .split('/')
    .filter(Boolean)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

const typeName = (t: string) =>
  t === 'integer' ? 'a whole number' : t === 'array' ? 'a list' : t === 'object' ? 'an object' : `a ${t}`;

/** Turns a schema violation into one readable sentence. */
export function describeValidation(errors: AjvError[], part: string): string {
  let e = errors[0];
  // The innermost union comes first (often "X or null"): report the branch that came closest, that
  // is the deepest failure inside it (request_headers[2].value, not request_headers).
  const any = errors.find((x) => x.keyword === 'anyOf');
  if (any) {
    const inside = (x: AjvError) =>
      x.instancePath === any.instancePath || x.instancePath.startsWith(`${any.instancePath}/`);
    const branches = errors.filter(
      (x) => x !== any && x.keyword !== 'anyOf' && inside(x) && !(x.keyword === 'type' && x.params.type === 'null'),
    );
    const depth = (x: AjvError) => x.instancePath.split('/').length;
    const deepest = (list: AjvError[]) => list.sort((a, b) => depth(b) - depth(a))[0];
    const specific =
      deepest(branches.filter((x) => x.keyword !== 'type')) ??
      deepest(branches.filter((x) => x.instancePath !== any.instancePath));
    const types = branches.filter((x) => x.instancePath === any.instancePath);
    e =
      specific ??
      (types.length > 1
        ? { ...any, keyword: 'type', params: { type: types.map((b) => b.params.type).join(' or ') } }
        : (types[0] ?? any));
  }
  const field = fieldName(e.instancePath);
  const where = field || (part === 'body' ? 'The request body' : part);
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `${field ? `${field}.` : ''}${p.missingProperty} is required`;
    case 'type':
      if (!field && part === 'body') return 'The request body must be a JSON object';
      return `${where} must be ${String(p.type).split(' or ').map(typeName).join(' or ')}`;
    case 'enum':
      return `${where} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'minLength':
      return p.limit === 1 ? `${where} must not be empty` : `${where} must be at least ${p.limit} characters`;
    case 'maxLength':
      return `${where} must be at most ${p.limit} characters`;
    case 'minimum':
      return `${where} must be at least ${p.limit}`;
    case 'maximum':
      return `${where} must be at most ${p.limit}`;
    case 'minItems':
      return `${where} must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `${where} must have at most ${p.limit} items`;
    case 'maxProperties':
      return `${where} must have at most ${p.limit} entries`;
    default:
      return `${where} is invalid`;
  }
}

export function notFoundBody(resource: string): Record<string, string> {
  const message = `${resource} not found`;
  return ERROR_KEYED_404.has(resource) ? { error: message } : { message };
}

/** The one error mapper: domain errors and framework errors to wire bodies. */
export function errorHandler(
  err: FastifyError & { validation?: AjvError[]; validationContext?: string },
  req: FastifyRequest,
  reply: FastifyReply,
) {
  if (err instanceof NotFoundError) return reply.code(404).send(notFoundBody(err.resource));
  if (err instanceof ValidationError) return reply.code(422).send({ message: err.message });
  if (err instanceof ConflictError) return reply.code(409).send({ message: err.message });
  if (err instanceof ForbiddenError) return reply.code(403).send({ error: 'Insufficient permissions for this action' });
  if (err instanceof UnavailableError) return reply.code(503).send({ message: err.message });
  if (err.validation)
    return reply.code(422).send({ message: describeValidation(err.validation, err.validationContext ?? 'body') });
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send({ message: 'Invalid JSON body' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send({ message: 'Request body too large (limit 1 MiB)' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(415).send({ message: 'Unsupported content type: send application/json' });
  }
  if (err instanceof SyntaxError) return reply.code(400).send({ message: 'Invalid JSON body' });
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return reply.code(status).send({ message: err.message });
  // The database as a whole refused (locked, full, unreachable): the client may retry; not a bug.
  const down = databaseUnavailable(err);
  if (down) {
    req.log.warn({ err: (err as Error).message }, `database unavailable: ${down}`);
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({ message: `Service unavailable: ${down}; retry later` });
  }
  req.log.error({ err }, 'unexpected error');
  return reply.code(500).send({ message: 'Internal server error' });
}
