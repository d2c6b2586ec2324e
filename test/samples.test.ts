/**
 * The bundled samples are what the README's quick start converts: they must be exactly what
 * `npm run gen:samples` builds from the real-traffic fixtures, and the built CLI must convert them.
 */
import { expect } from 'chai';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/cli.js';
import { capinfos } from './support/tshark.js';
import { SAMPLE_FRAMINGS } from './support/trace-from-capture.js';
import { SCENARIO_SAMPLES } from './support/scenario-samples.js';

describe('bundled samples', () => {
  it('are reproduced byte for byte by the sample builder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zctrace-samples-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-samples.ts', '--out', dir], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      const scenarios = [...SCENARIO_SAMPLES.map((sample) => `scenarios/${sample.file}`), 'scenarios/README.md'];
      for (const name of [...SAMPLE_FRAMINGS.map((framing) => `packet-trace-${framing}.bin`), 'osaenta-trace.bin', 'ids-trace.bin', 'data-trace.bin', ...scenarios]) {
        const committed = readFileSync(join(PROJECT_ROOT, 'samples', name));
        expect(readFileSync(join(dir, name)).equals(committed), `${name} is stale: run npm run gen:samples`).to.equal(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the built command (dist/cli.js) converts each of them to the same packets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zctrace-samples-'));
    try {
      const sums = SAMPLE_FRAMINGS.map((framing) => {
        const output = join(dir, `${framing}.pcapng`);
        const run = spawnSync(process.execPath, ['dist/cli.js', 'convert', `samples/packet-trace-${framing}.bin`, '-o', output, '-q'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
        expect(run.status, `${run.stderr} (is dist/ built? npm test builds it first)`).to.equal(0);
        const facts = capinfos(output);
        return [facts.get('Number of packets'), facts.get('Data size'), facts.get('First packet time'), facts.get('Last packet time')];
      });
      for (const sum of sums) expect(sum).to.deep.equal(sums[0]);
      expect(Number(sums[0]![0])).to.be.greaterThan(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
