/**
 * scripts/test.sh scans the test command's logs when the run ends, passed or failed: its console log
 * and every log the Python suites keep under out/test-logs/<suite>/ (XCOMKIT_TEST_LOG_DIR). The real
 * script runs here in a scratch copy of the repository whose steps are stubs that print or keep a log
 * and pass or fail; only the scanner (scripts/secret-scan.ts) is real.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
// 40 characters, built here so that no literal key sits in the repository.
const PLANTED = `Zq${'3'.repeat(18)}/${'k'.repeat(19)}`;
const WELL_KNOWN = 'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const STEPS = ['install.sh', 'build.sh', 'setup-python.sh', 'checkov.sh', 'test-runtime.sh', 'test-e2e.sh'];

interface Run {
  code: number | null;
  output: string;
  logs: string;
}

/** scripts/test.sh in a scratch root; `steps` maps a step script to its body (default: exit 0). */
function runTestSh(steps: Record<string, string>): Run {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-testsh-'));
  try {
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.mkdirSync(path.join(root, 'bin'));
    fs.copyFileSync(path.join(REPO, 'scripts', 'test.sh'), path.join(root, 'scripts', 'test.sh'));
    fs.copyFileSync(path.join(REPO, 'scripts', 'secret-scan.ts'), path.join(root, 'scripts', 'secret-scan.ts'));
    for (const step of STEPS) fs.writeFileSync(path.join(root, 'scripts', step), `set -eu\n${steps[step] ?? 'exit 0'}\n`);
    // npx: tsx is the real one (the scan); tsc and jest pass.
    fs.writeFileSync(
      path.join(root, 'bin', 'npx'),
      `#!/usr/bin/env bash\nif [ "$1" = tsx ]; then shift; exec ${JSON.stringify(path.join(REPO, 'node_modules', '.bin', 'tsx'))} "$@"; fi\nexit 0\n`,
      { mode: 0o755 },
    );
    const r = spawnSync('bash', [path.join(root, 'scripts', 'test.sh')], {
      cwd: root,
      env: { ...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH}`, CI: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const logs = path.join(root, 'out', 'test-logs');
    const kept = fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true }).map(String).sort().join(' ') : '';
    return { code: r.status, output: `${r.stdout}${r.stderr}`, logs: kept };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A step body that keeps a server log the way the Python suites do. */
const keepLog = (text: string) => `mkdir -p "$XCOMKIT_TEST_LOG_DIR/servers/xcomkit-moto-1"\necho '${text}' > "$XCOMKIT_TEST_LOG_DIR/servers/xcomkit-moto-1/server.log"`;

describe('scripts/test.sh scans its logs when the run ends', () => {
  test('a failing run is scanned (console log and kept logs) and keeps its own exit code', () => {
    const r = runTestSh({
      'test-runtime.sh': `${keepLog(`secret_access_key=${PLANTED}`)}\necho "dumping the server log: aws_secret_access_key=${PLANTED}"\nexit 3`,
    });
    expect(r.code).toBe(3);
    expect(r.output).toContain('out/test-logs/npm-test.log:');
    expect(r.output).toContain('out/test-logs/runtime/servers/xcomkit-moto-1/server.log:1: AWS secret access key: Zq33…kk (40 chars)');
    expect(r.output).toContain('secret-scan: 2 credential(s) in plaintext');
  }, 90_000);

  test('a run whose steps pass fails when a kept log holds a credential', () => {
    const r = runTestSh({ 'test-e2e.sh': keepLog(`"password": "${PLANTED}"`) });
    expect(r.code).toBe(1);
    expect(r.logs).toContain(path.join('e2e', 'servers', 'xcomkit-moto-1', 'server.log'));
    expect(r.output).toContain('secret-scan: 1 credential(s) in plaintext');
  }, 90_000);

  test("a run that passes with only moto's and Azurite's published keys in its logs passes", () => {
    const r = runTestSh({ 'test-runtime.sh': `${keepLog(WELL_KNOWN)}\necho "${WELL_KNOWN}"` });
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringContaining('secret-scan: no credential in out/test-logs') });
  }, 90_000);
});
