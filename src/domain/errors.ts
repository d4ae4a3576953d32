/** Domain errors know nothing of HTTP; http/errors.ts maps them to wire bodies. */
export class DomainError extends Error {}

export class NotFoundError extends DomainError {
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

export class ValidationError extends DomainError {}

export class ConflictError extends DomainError {}

/** The actor may not do this (a dashboard member asking for an owner's action). */
export class ForbiddenError extends DomainError {}

/** The work could not be done now (the database refused a write); the client should retry. */
export class UnavailableError extends DomainError {}
