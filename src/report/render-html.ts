/**
 * The report as one self-contained HTML page: templates/report.hbs with its partials and the CSS inlined,
 * the time-line drawn as inline SVG, no script and no URL fetched when it is viewed.
 *
 * Safety: templates place data only with {{ }}, which HTML-escapes it (a test rejects {{{ }}} and {{& }}
 * in the templates); no custom helper is registered, and data is never compiled as a template, so a
 * name such as `<script>` or `{{x}}` from a trace shows as text. The templates are read and compiled once
 * per process, in their own Handlebars environment.
 */
import Handlebars from 'handlebars';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from './report-model.js';
import { buildHtmlView, type HtmlView } from './html-view.js';

/** templates/ sits at the package root: two levels above src/report/ and dist/report/ alike. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** The CSS is inlined as a partial: it has no braces Handlebars would read, and partials are not escaped. */
const STYLE_FILE = 'report.css';

type CompiledReport = (view: HtmlView) => string;

let compiled: CompiledReport | null = null;

function loadTemplates(dir: string): CompiledReport {
  const env = Handlebars.create();
  env.registerPartial('style', readFileSync(join(dir, STYLE_FILE), 'utf8'));
  const partialsDir = join(dir, 'partials');
  for (const name of readdirSync(partialsDir)) {
    if (extname(name) === '.hbs') env.registerPartial(basename(name, '.hbs'), readFileSync(join(partialsDir, name), 'utf8'));
  }
  // strict: a field name the view does not have is a template bug, so it fails loudly instead of printing nothing.
  const template = env.compile<HtmlView>(readFileSync(join(dir, 'report.hbs'), 'utf8'), { strict: true });
  return (view) => template(view);
}

/** The compiled report template, read from templates/ on first use and kept for the process. */
function reportTemplate(): CompiledReport {
  compiled ??= loadTemplates(TEMPLATES_DIR);
  return compiled;
}

export function renderHtml(report: Report): string {
  return reportTemplate()(buildHtmlView(report));
}
