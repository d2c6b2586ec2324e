/**
 * Reads the field tables of docs/report-schema.md and checks a JSON report against them: every required
 * field present with its documented type, and every field of the JSON documented (or inside a `map`).
 * The document is the contract users read, so the tests hold the JSON to it rather than to our types.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SCHEMA_DOC = fileURLToPath(new URL('../../docs/report-schema.md', import.meta.url));

export interface DocumentedField {
  path: string;
  types: string[];
  required: boolean;
}

/** Rows `| \`path\` | type | yes/no | meaning |` of every table in the document. */
export function documentedFields(text = readFileSync(SCHEMA_DOC, 'utf8')): DocumentedField[] {
  const fields: DocumentedField[] = [];
  for (const line of text.split('\n')) {
    const match = /^\| `([^`]+)` \| ([^|]+(?:\\\|[^|]+)*) \| (yes|no) \|/.exec(line);
    if (match === null) continue;
    const types = match[2]!.split('\\|').map((t) => t.trim());
    fields.push({ path: match[1]!, types, required: match[3] === 'yes' });
  }
  return fields;
}

function typeOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  if (typeof value === 'object') return ['object', 'map'];
  return [typeof value];
}

/** The values at a documented path: `a.b[].c` visits every element of `a.b`. */
function valuesAt(root: unknown, path: string): { parent: unknown; key: string; present: boolean; value: unknown }[] {
  const steps = path.split('.');
  let parents: unknown[] = [root];
  let result: { parent: unknown; key: string; present: boolean; value: unknown }[] = [];
  steps.forEach((step, i) => {
    const name = step.replace(/(\[\])+$/, '');
    const depth = (step.length - name.length) / 2;
    const found = parents
      .filter((p): p is Record<string, unknown> => p !== null && typeof p === 'object' && !Array.isArray(p))
      .map((p) => ({ parent: p, key: name, present: Object.hasOwn(p, name), value: p[name] }));
    let values = found.filter((f) => f.present).map((f) => f.value);
    for (let d = 0; d < depth; d++) values = values.flatMap((v) => (Array.isArray(v) ? v : []));
    if (i === steps.length - 1) {
      const elements = values.map((value) => ({ parent: null, key: step, present: true, value }));
      result = depth === 0 ? found : [...found.filter((f) => !f.present), ...elements];
    }
    parents = values;
  });
  return result;
}

/** Every key path in `value`, arrays written as `[]`, not descending into documented maps. */
function pathsIn(value: unknown, prefix: string, maps: Set<string>, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const element of value) {
      const path = `${prefix}[]`;
      if (Array.isArray(element)) out.add(path); // a row of cells: documented as its own path
      pathsIn(element, path, maps, out);
    }
    return;
  }
  if (value === null || typeof value !== 'object' || maps.has(prefix)) return;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.add(path);
    pathsIn(child, path, maps, out);
  }
}

/** Problems of `json` against the document; empty when it conforms. */
export function schemaProblems(json: unknown, fields = documentedFields()): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    for (const at of valuesAt(json, field.path)) {
      if (!at.present) {
        if (field.required) problems.push(`${field.path}: missing`);
        continue;
      }
      const actual = typeOf(at.value);
      if (!actual.some((t) => field.types.includes(t))) {
        problems.push(`${field.path}: ${JSON.stringify(at.value)?.slice(0, 80)} is ${actual[0]}, documented ${field.types.join(' | ')}`);
      }
    }
  }
  const documented = new Set(fields.map((f) => f.path));
  const maps = new Set(fields.filter((f) => f.types.includes('map')).map((f) => f.path));
  const seen = new Set<string>();
  pathsIn(json, '', maps, seen);
  for (const path of seen) if (!documented.has(path)) problems.push(`${path}: not documented`);
  return problems;
}
