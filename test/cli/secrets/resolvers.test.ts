/**
 * The three secret resolvers against local HTTP endpoints, with the real SDKs pointed at them: GCP
 * Secret Manager (REST transport) and Azure Key Vault have no local emulator, so a small fake server
 * answers the one call each resolver makes, and records what it was asked. AWS uses moto in the
 * integration suite; here its failure path is checked without a network.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import { AzureKeyVaultResolver } from '../../../lib/cli/secrets/azure';
import { GcpSecretManagerResolver } from '../../../lib/cli/secrets/gcp';
import { AwsSecretsManagerResolver } from '../../../lib/cli/secrets/aws';
import { SecretAccessError } from '../../../lib/cli/secrets/types';
import { SecretRef } from '../../../lib/binding';
import { cli, fixture } from '../helpers';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

/** A loopback server on a free port; `handler` answers, every request is recorded. */
async function fakeServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/**
 * Offline credentials: a fixed access token, never refreshed. Node's own fetch is handed to gaxios:
 * its default, a dynamic import of node-fetch, is not allowed inside jest's module sandbox.
 */
function staticGoogleAuth(): OAuth2Client {
  const client = new OAuth2Client({ transporterOptions: { fetchImplementation: globalThis.fetch } });
  client.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
  return client;
}

const gcpRef: SecretRef = { store: 'gcp-secret-manager', name: 'airflow-connections-gcp_xcoms', connectionsPrefix: 'airflow-connections', id: 'projects/my-project/secrets/airflow-connections-gcp_xcoms' };
const CONNECTION = JSON.stringify({ conn_type: 'google_cloud_platform', extra: { project: 'my-project' } });

describe('GCP Secret Manager resolver (REST, against a local endpoint)', () => {
  test('reads the latest version with the credentials it was given', async () => {
    const server = await fakeServer((req, res) => {
      if (req.url?.startsWith('/v1/projects/my-project/secrets/airflow-connections-gcp_xcoms/versions/latest:access')) {
        json(res, 200, { name: 'projects/1/secrets/x/versions/3', payload: { data: Buffer.from(CONNECTION).toString('base64') } });
      } else json(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
    });
    try {
      const resolver = new GcpSecretManagerResolver({ apiEndpoint: '127.0.0.1', port: server.port, protocol: 'http', authClient: staticGoogleAuth() });
      expect(await resolver.resolve(gcpRef)).toBe(CONNECTION);
      expect(server.seen).toHaveLength(1);
      expect(server.seen[0]).toMatchObject({ method: 'GET', authorization: 'Bearer test-token' });
    } finally {
      await server.close();
    }
  });

  test.each([
    [403, 'PERMISSION_DENIED', /roles\/secretmanager\.secretAccessor/],
    [404, 'NOT_FOUND', /does not exist: deploy the stack first/],
    [401, 'UNAUTHENTICATED', /gcloud auth application-default login/],
  ])('an HTTP %i fails at once, in one line, with what to do', async (status, code, hint) => {
    const server = await fakeServer((_, res) => json(res, status, { error: { code: status, message: `${code} from fake`, status: code } }));
    try {
      const resolver = new GcpSecretManagerResolver({ apiEndpoint: '127.0.0.1', port: server.port, protocol: 'http', authClient: staticGoogleAuth() });
      const error = await resolver.resolve(gcpRef).catch((e) => e);
      expect(error).toBeInstanceOf(SecretAccessError);
      expect(error.message).toMatch(hint);
      expect(error.message).not.toContain('\n');
      expect(server.seen).toHaveLength(1); // no retries
    } finally {
      await server.close();
    }
  });

  test('no credentials: a login hint, no stack trace, no request sent', async () => {
    const out = path.join(os.tmpdir(), `xcomkit-never-written-${process.pid}.env`);
    const result = await cli(['env', fixture('gcp-key'), '--resolve-secrets', '-o', out], {
      env: { GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json', METADATA_SERVER_DETECTION: 'none', HOME: '/nonexistent' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not read gcp-secret-manager secret "airflow-connections-gcp_xcoms"/);
    expect(result.stderr).toMatch(/gcloud auth application-default login/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });
});

const azureRef: SecretRef = { store: 'azure-key-vault', name: 'airflow-connections-azure-xcoms', connectionsPrefix: 'airflow-connections', id: '' };
const fakeCredential = (calls: string[]) => ({
  getToken: async (scopes: string | string[]) => {
    calls.push(String(scopes));
    return { token: 'vault-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  },
});

describe('Azure Key Vault resolver (against a local endpoint)', () => {
  /** Key Vault's challenge: an unauthenticated request gets 401 with the resource to ask a token for. */
  const vault = (value: string | undefined, status = 200) =>
    fakeServer((req, res) => {
      if (!req.headers.authorization) {
        json(res, 401, { error: { code: 'Unauthorized' } }, { 'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/tenant", resource="https://vault.azure.net"' });
      } else if (status !== 200) {
        json(res, status, { error: { code: status === 403 ? 'Forbidden' : 'SecretNotFound', message: 'from fake' } });
      } else json(res, 200, { value, id: `http://127.0.0.1/secrets/${azureRef.name}/1`, attributes: { enabled: true } });
    });

  test('reads the secret with a vault token, after the challenge', async () => {
    const server = await vault(CONNECTION);
    const calls: string[] = [];
    try {
      const resolver = new AzureKeyVaultResolver({ credential: fakeCredential(calls), localEndpoint: true });
      expect(await resolver.resolve({ ...azureRef, id: `http://127.0.0.1:${server.port}` })).toBe(CONNECTION);
      expect(server.seen.map((s) => s.url.split('?')[0])).toEqual([`/secrets/${azureRef.name}/`, `/secrets/${azureRef.name}/`]);
      expect(server.seen[1].authorization).toBe('Bearer vault-token');
      expect(calls[0]).toBe('https://vault.azure.net/.default');
    } finally {
      await server.close();
    }
  });

  test.each([
    [403, /Key Vault Secrets User/],
    [404, /does not exist: deploy the stack first/],
  ])('an HTTP %i fails at once with what to do', async (status, hint) => {
    const server = await vault(undefined, status);
    try {
      const resolver = new AzureKeyVaultResolver({ credential: fakeCredential([]), localEndpoint: true });
      const error = await resolver.resolve({ ...azureRef, id: `http://127.0.0.1:${server.port}` }).catch((e) => e);
      expect(error).toBeInstanceOf(SecretAccessError);
      expect(error.message).toMatch(hint);
      expect(server.seen).toHaveLength(2); // the challenge and one authorized attempt: no retries
    } finally {
      await server.close();
    }
  });

  test('no credentials: a login hint before any vault request', async () => {
    const server = await vault(CONNECTION);
    try {
      const failing = { getToken: async () => Promise.reject(new Error('DefaultAzureCredential failed to retrieve a token\n  many lines')) };
      const error = await new AzureKeyVaultResolver({ credential: failing }).resolve({ ...azureRef, id: `http://127.0.0.1:${server.port}` }).catch((e) => e);
      expect(error).toBeInstanceOf(SecretAccessError);
      expect(error.message).toMatch(/^no Azure credentials \(DefaultAzureCredential failed to retrieve a token\); log in with `az login`/);
      expect(server.seen).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('a vault that does not answer is reported after the deadline, not after the SDK retries', async () => {
    const server = await fakeServer(() => undefined); // never answers
    try {
      const resolver = new AzureKeyVaultResolver({ credential: fakeCredential([]), timeoutMs: 300, localEndpoint: true });
      const error = await resolver.resolve({ ...azureRef, id: `http://127.0.0.1:${server.port}` }).catch((e) => e);
      expect(error).toBeInstanceOf(SecretAccessError);
      expect(error.message).toMatch(/did not answer within 0 s; check the vault URL/);
    } finally {
      server.close();
    }
  });
});

describe('AWS Secrets Manager resolver', () => {
  test('no credentials: a login hint, in one line', async () => {
    const server = await fakeServer((_, res) => json(res, 400, {}));
    try {
      const env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${server.port}`, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
      const saved = { ...process.env };
      for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
      Object.assign(process.env, env);
      try {
        const ref: SecretRef = { store: 'aws-secrets-manager', name: 'a/b', connectionsPrefix: 'a', id: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-x' };
        const error = await new AwsSecretsManagerResolver(env, 5000).resolve(ref).catch((e) => e);
        expect(error).toBeInstanceOf(SecretAccessError);
        expect(error.message).toMatch(/aws sso login/);
        expect(error.message).not.toContain('\n');
        expect(server.seen).toEqual([]);
      } finally {
        process.env = saved;
      }
    } finally {
      await server.close();
    }
  });
});
