/** A configuration file or an argument that the routing engine refuses; the message is for staff (zh-CN). */
export class RoutingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutingConfigError';
  }
}

/** An argument the caller passed that names nothing known (an event type code, a town, a kind). */
export class RoutingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutingInputError';
  }
}
