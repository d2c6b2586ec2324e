/**
 * The report as JSON for scripts: the report model as it is, documented field by field in
 * docs/report-schema.md. `schemaVersion` comes first so a reader can check it before anything else.
 */
import type { Report } from './report-model.js';

export function renderJson(report: Report): string {
  const { schemaVersion, ...rest } = report;
  return `${JSON.stringify({ schemaVersion, ...rest }, null, 2)}\n`;
}
