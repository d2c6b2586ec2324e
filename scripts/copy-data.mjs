// Copies the JSON data tables that sit beside the sources (layout profile, code tables) into dist/,
// because tsc compiles code only and the CLI loads these tables at run time.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';

function copyJson(fromDir, toDir) {
  for (const name of readdirSync(fromDir)) {
    const from = join(fromDir, name);
    const to = join(toDir, name);
    if (statSync(from).isDirectory()) copyJson(from, to);
    else if (name.endsWith('.json')) {
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to);
    }
  }
}

copyJson('src', 'dist');
