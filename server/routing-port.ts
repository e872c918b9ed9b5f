// The routing engine as the server uses it (one instance per process).
import path from 'node:path';
import { RoutingPort } from './hotline';
import { parseTaxonomy, parseUnits, readJson } from '../routing/taxonomy';
import { guessKind } from '../routing/kind';

let instance: RoutingPort | undefined;

export function loadRoutingForServer(): RoutingPort {
  if (!instance) {
    // TEMPORARY until routing/index.ts (loadRouting) lands: the taxonomy and kind rules alone.
    const city = path.resolve(__dirname, '../city/demo');
    const units = parseUnits(readJson(path.join(city, 'units.json'), '单位'));
    const tax = parseTaxonomy(readJson(path.join(city, 'event-types.json'), '事项类型'), units);
    instance = { eventTypes: () => tax.eventTypes, suggest: (i) => ({ kind: guessKind(i.text).kind }) };
  }
  return instance;
}
