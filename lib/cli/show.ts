/** `xcomkit show`: a human summary of bindings. */
import { AirflowBinding } from '../binding';
import { isSecretShapedKey } from '../rules';
import { FoundBinding } from './input';
import { Style } from './io';

const STORES = { 'aws-secrets-manager': 'AWS Secrets Manager', 'gcp-secret-manager': 'GCP Secret Manager', 'azure-key-vault': 'Azure Key Vault' };

function lines(b: AirflowBinding): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['XCom path', b.xcom.path],
    ['threshold', b.xcom.threshold === -1 ? '-1 (everything stays in the database)' : `${b.xcom.threshold} bytes`],
    ['compression', b.xcom.compression ?? 'none'],
    ['storage', `${b.storage.account ? `${b.storage.account}/` : ''}${b.storage.bucket}${b.storage.prefix ? `/${b.storage.prefix}` : ''} (${b.storage.region})`],
    ['connection', `${b.connection.id} (${b.connection.type})${Object.keys(b.connection.extra).length ? ' ' + Object.entries(b.connection.extra).map(([k, v]) => `${k}=${isSecretShapedKey(k) ? '<hidden: secret-shaped>' : v}`).join(' ') : ''}`],
    ['identity', `${b.identity.mode}: ${b.identity.principal}${b.identity.roleArn ? ` (role ${b.identity.roleArn})` : ''}`],
  ];
  if (b.identity.secret) rows.push(['secret', `${STORES[b.identity.secret.store]} "${b.identity.secret.name}" (prefix ${b.identity.secret.connectionsPrefix})`]);
  for (const sa of b.identity.kubernetesServiceAccounts ?? []) rows.push(['k8s account', `${sa.namespace}/${sa.serviceAccount}`]);
  return rows;
}

export function describeBindings(found: readonly FoundBinding[], s: Style): string {
  return found
    .map((f) => {
      const b = f.binding;
      const head = `${s.bold(`${b.cloud}/${b.environment}`)}  ${s.dim(f.origin)}${f.synthesized ? '  [synth: deploy-time placeholders]' : ''}`;
      if (f.sensitive) {
        return [head, `  ${'sensitive'.padEnd(12)}the output is marked sensitive: details hidden (xcomkit env ... -o <file> writes them to a 0600 file)`].join('\n');
      }
      return [head, ...lines(b).map(([k, v]) => `  ${k.padEnd(12)}${v}`)].join('\n');
    })
    .join('\n\n') + '\n';
}
