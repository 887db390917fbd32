import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../../dist/cli/main.js');

// The published binary is the compiled dist/ (built by `npm ci` through `prepare`, and by `pretest`).
t.test('the built drtp binary runs, reports its version and maps errors to exit statuses', async (t) => {
  const version = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
  t.equal(version.status, 0, version.stderr);
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const unknown = spawnSync(process.execPath, [BIN, 'no-such-command'], { encoding: 'utf8' });
  t.not(unknown.status, 0, 'an unknown command fails');
  const missing = spawnSync(process.execPath, [BIN, 'validate', '/nonexistent.yaml'], { encoding: 'utf8' });
  t.equal(missing.status, 2);
  t.match(missing.stderr, /^drtp: E_CONFIG: cannot read configuration \/nonexistent\.yaml/);
});
