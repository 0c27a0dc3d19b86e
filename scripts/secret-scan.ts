/**
 * Finds credentials in text: AWS access key ids and secret access keys, private keys (PEM, GCP
 * service-account JSON), Azure storage account keys and SAS signatures. The local servers' published
 * test keys (Azurite's devstoreaccount1 key, the AWS documentation key pair moto answers with) are
 * allowed by name; nothing else is.
 *
 *   npx tsx scripts/secret-scan.ts <file or directory>...   exit 1 and one line per finding
 *
 * A directory is scanned file by file, recursively (node_modules and .venv skipped). scripts/test.sh
 * runs it, when the run ends, over out/test-logs/: the test command's console log and the logs the
 * Python suites keep there; test/security/secret-hygiene.test.ts uses `scanPaths` over every
 * synthesized artefact and every xcomkit output in default mode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SecretPattern {
  readonly name: string;
  /** The credential is group 1 when there is one, else the whole match. */
  readonly regex: RegExp;
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { name: 'AWS access key id', regex: /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g },
  {
    name: 'AWS secret access key',
    regex: /(?:aws_secret_access_key|secret_?access_?key|"password"|SecretAccessKey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
  },
  { name: 'private key (PEM)', regex: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)/g },
  { name: 'GCP service-account key', regex: /("private_key_id"\s*:\s*"[0-9a-f]{40}")/g },
  { name: 'Azure storage account key', regex: /(?<![A-Za-z0-9+/])([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/g },
  { name: 'Azure connection-string account key', regex: /AccountKey=([^;"'\s<]{20,})/g },
  { name: 'SAS signature', regex: /[?&]sig=([A-Za-z0-9%+/=]{20,})/g },
];

/** Published test credentials of the local servers, allowed by name. */
export const WELL_KNOWN_TEST_KEYS: Readonly<Record<string, string>> = {
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==': "Azurite's devstoreaccount1 account key",
  AKIAIOSFODNN7EXAMPLE: "the AWS documentation access key id moto's STS answers with",
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY': "the AWS documentation secret key moto's STS answers with",
};

export interface Finding {
  readonly pattern: string;
  readonly where: string;
  readonly line: number;
  /** The credential with its middle masked, so the report is no leak of its own. */
  readonly masked: string;
}

function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 4)}…${secret.slice(-2)} (${secret.length} chars)`;
}

/** Every credential in `text` that is not a well-known test key. */
export function scanText(text: string, where: string): Finding[] {
  const findings: Finding[] = [];
  for (const { name, regex } of SECRET_PATTERNS) {
    for (const m of text.matchAll(regex)) {
      const secret = m[1] ?? m[0];
      if (secret in WELL_KNOWN_TEST_KEYS) continue;
      const line = text.slice(0, m.index).split('\n').length;
      findings.push({ pattern: name, where, line, masked: mask(secret) });
    }
  }
  return findings;
}

/** Every file below `target` (or `target` itself), skipping dependency folders. */
export function filesUnder(target: string): string[] {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return [target];
  return fs.readdirSync(target, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' || e.name === '.venv' ? [] : filesUnder(path.join(target, e.name)),
  );
}

export function scanPaths(targets: readonly string[]): Finding[] {
  return targets.flatMap(filesUnder).flatMap((file) => scanText(fs.readFileSync(file, 'latin1'), file));
}

if (require.main === module) {
  const targets = process.argv.slice(2);
  if (targets.length === 0) {
    console.error('usage: npx tsx scripts/secret-scan.ts <file or directory>...');
    process.exit(2);
  }
  const findings = scanPaths(targets);
  for (const f of findings) console.error(`${f.where}:${f.line}: ${f.pattern}: ${f.masked}`);
  if (findings.length > 0) {
    console.error(`secret-scan: ${findings.length} credential(s) in plaintext`);
    process.exit(1);
  }
  console.log(`secret-scan: no credential in ${targets.join(', ')}`);
}
