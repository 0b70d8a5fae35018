/**
 * Errors the admin API raises on purpose. The problem filter maps them (and Nest's and Fastify's own HTTP errors) to
 * `application/problem+json` in one place; anything else becomes a 500 whose detail is never shown to the client.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request field at fault, echoed in the problem body. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Bad input: the message names the field (`digest: must be 128 hex characters`). */
export class ValidationError extends ApiError {
  constructor(field: string, message: string) {
    super(400, `${field}: ${message}`, field);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message);
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, field?: string) {
    super(409, message, field);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, message);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(message: string) {
    super(415, message);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super(413, message);
  }
}
