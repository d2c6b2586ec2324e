/**
 * Name filters (`--link OSAQDIO*`, `--jobname FTPD?`): case-insensitive, `*` for any run of characters and
 * `?` for one, the whole name matched. z/OS names are upper case; users often type them in lower case.
 */

export interface NamePattern {
  readonly text: string;
  test(name: string): boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export function createNamePattern(text: string): NamePattern {
  const pattern = text.trim();
  if (!/[*?]/.test(pattern)) {
    const wanted = pattern.toUpperCase();
    return { text: pattern, test: (name) => name.toUpperCase() === wanted };
  }
  const regex = new RegExp(`^${escapeRegExp(pattern).replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
  return { text: pattern, test: (name) => regex.test(name) };
}
