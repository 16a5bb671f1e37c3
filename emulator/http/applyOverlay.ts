import { createRequire } from 'node:module';
import type { JSONPath as JSONPathFunction } from 'jsonpath-plus';

/**
 * jsonpath-plus (and the node:vm it loads), on first use: a start reads the overlay's result as JSON
 * written at build time, so it only runs when that JSON is missing or stale.
 */
const jsonPath = (): typeof JSONPathFunction => (createRequire(import.meta.url)('jsonpath-plus') as { JSONPath: typeof JSONPathFunction }).JSONPath;

type Node = Record<string, unknown>;

/** One action of an OpenAPI Overlay 1.0 document. */
interface OverlayAction {
  target: string;
  description?: string;
  update?: unknown;
  remove?: boolean;
}

const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Merges `update` into `target` as Overlay 1.0 says: properties of an object are merged
 * recursively, a primitive replaces, and an array is replaced by an array (appending to an array
 * is what targeting the array itself is for).
 */
function merge(target: Node, update: Node): void {
  for (const [key, value] of Object.entries(update)) {
    const current = target[key];
    if (isObject(current) && isObject(value)) merge(current, value);
    else target[key] = structuredClone(value);
  }
}

/**
 * Applies an OpenAPI Overlay 1.0 document (https://spec.openapis.org/overlay/v1.0.0) to a copy of
 * `document`, in action order. An `update` on an object merges into it, on an array appends to it;
 * `remove: true` deletes the node. A target that selects nothing throws: in an overlay kept beside
 * its document, that is a stale path, not an intended no-op.
 *
 * @example
 * const latest = applyOverlay(parse(openapiYaml), parse(overlayYaml));
 */
export function applyOverlay(document: Node, overlay: Node): Node {
  if (typeof overlay.overlay !== 'string' || !overlay.overlay.startsWith('1.')) throw new Error(`not an OpenAPI Overlay 1.x document (its 'overlay' field is ${JSON.stringify(overlay.overlay)})`);
  if (!Array.isArray(overlay.actions)) throw new Error("the overlay has no 'actions' list");
  const result = structuredClone(document);
  (overlay.actions as OverlayAction[]).forEach((action, index) => {
    const where = `overlay action ${index + 1} (target ${action.target})`;
    // ignoreEvalErrors: a filter over a node without the field does not match, as RFC 9535 says.
    const matches = jsonPath()({ path: action.target, json: result, resultType: 'all', wrap: true, ignoreEvalErrors: true }) as Array<{ value: unknown; parent: unknown; parentProperty: string | number }>;
    if (!matches.length) throw new Error(`${where} selects nothing in the document`);
    for (const { value, parent, parentProperty } of matches) {
      if (action.remove) {
        if (Array.isArray(parent)) parent.splice(Number(parentProperty), 1);
        else if (isObject(parent)) delete parent[parentProperty];
      } else if (Array.isArray(value)) value.push(structuredClone(action.update));
      else if (isObject(value) && isObject(action.update)) merge(value, action.update);
      else throw new Error(`${where}: an update must be an object for an object, got ${JSON.stringify(action.update)}`);
    }
  });
  return result;
}
