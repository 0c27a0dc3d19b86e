import * as path from 'node:path';
import { run } from '../../lib/cli/main';
import { ResolverFactory } from '../../lib/cli/secrets/types';

export const ROOT = path.resolve(__dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/bindings');
export const fixture = (name: string) => path.join(FIXTURES, `${name}.json`);

export const MODES = ['aws-user', 'aws-role', 'gcp-workload-identity', 'gcp-key', 'azure-workload-identity', 'azure-key'] as const;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  resolverFactory?: ResolverFactory;
}

/** Runs the command in-process with captured streams. */
export async function cli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.isTTY ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.isTTY ?? false },
    env: options.env ?? {},
    resolverFactory: options.resolverFactory,
  });
  return { code, stdout, stderr };
}

/** Secret values the fakes hand out; tests assert they never reach stdout by default. */
export const FAKE_SECRETS: Record<string, string> = {
  'aws-secrets-manager': JSON.stringify({ conn_type: 'aws', login: 'AKIAFAKEFAKEFAKE1234', password: 'fake/secret+key=AWS0000000000000000', extra: { region_name: 'eu-west-1' } }),
  'gcp-secret-manager': JSON.stringify({
    conn_type: 'google_cloud_platform',
    extra: { project: 'my-airflow-project', keyfile_dict: { type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nFAKEGCPKEY\n-----END PRIVATE KEY-----\n', client_email: 'x@my-airflow-project.iam.gserviceaccount.com' } },
  }),
  'azure-key-vault': JSON.stringify({ conn_type: 'wasb', login: 'airflowxcomsdev0', password: 'FAKEAZUREACCOUNTKEY==', extra: { account_name: 'airflowxcomsdev0' } }),
};

/** A fake secret store (GCP and Azure have no local server): returns {@link FAKE_SECRETS}, records calls. */
export function fakeResolvers(calls: string[] = []): ResolverFactory {
  return async (store) => ({
    resolve: async (ref) => {
      calls.push(`${store}:${ref.name}`);
      return FAKE_SECRETS[store];
    },
  });
}
