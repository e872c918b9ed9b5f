// Errors the domain raises; the HTTP edge maps them to status codes.

/** The input itself is wrong (HTTP 400). `issues` lists field → message. */
export class InvalidInput extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ field: string; label?: string; message: string }> = [],
    readonly code = 'invalid_input',
  ) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/** The rules forbid this move in the ticket's present state (HTTP 409). Nothing is changed. */
export class TransitionRefused extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'TransitionRefused';
  }
}

/** The actor's role may not do or ask this (HTTP 403). */
export class Forbidden extends Error {
  constructor(message: string, readonly code = 'forbidden') {
    super(message);
    this.name = 'Forbidden';
  }
}

/** The thing does not exist, or the actor may not see it (HTTP 404). */
export class NotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFound';
  }
}
