// The routing engine as the server uses it: loaded once per process.
import { loadRouting, Routing } from '../routing';

let instance: Routing | undefined;

export function loadRoutingForServer(): Routing {
  return (instance ??= loadRouting());
}
