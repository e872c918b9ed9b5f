// GeoReport v2's XML format: the same documents as the JSON ones, as the spec's examples
// write them (a root element, one element per item, empty elements for null).
/** The element name of each item of the lists that appear inside a document. */
const ITEM_NAMES: Record<string, string> = { attributes: 'attribute', values: 'value' };

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}></${name}>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element(ITEM_NAMES[name] ?? 'item', v)).join('')}</${name}>`;
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v)).join('')}</${name}>`;
  return `<${name}>${escape(String(value))}</${name}>`;
}

/** A whole document: `items` under `root`, each as `item` (or one object as the root itself when `item` is null). */
export function open311Xml(root: string, item: string | null, body: unknown): string {
  const inner = item === null ? Object.entries(body as Record<string, unknown>).map(([k, v]) => element(k, v)).join('') : (body as unknown[]).map((x) => element(item, x)).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${inner}</${root}>\n`;
}
