/** Domain errors know nothing of HTTP; http/errors.ts maps them to wire bodies. */
export class DomainError extends Error {}

export class NotFoundError extends DomainError {
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

export class ValidationError extends DomainError {}

export class ConflictError extends DomainError {}
