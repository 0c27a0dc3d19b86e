/**
 * Turns the text of a stored secret into the connection JSON for `AIRFLOW_CONN_<ID>`. Stacks store the
 * connection JSON itself; a few raw credential shapes are accepted too. Messages never quote the secret.
 */
import { AirflowBinding } from '../binding';
import { AirflowSettingsError } from './errors';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function connectionFromSecret(secret: string, b: AirflowBinding): string {
  const where = `secret "${b.identity.secret?.name ?? '?'}" for connection "${b.connection.id}"`;
  const extra = { ...b.connection.extra };
  let doc: unknown;
  try {
    doc = JSON.parse(secret);
  } catch {
    doc = undefined;
  }
  if (isObject(doc)) {
    if (typeof doc.conn_type === 'string') {
      if (doc.conn_type !== b.connection.type) {
        throw new AirflowSettingsError(where, [`holds a "${doc.conn_type}" connection, the binding expects "${b.connection.type}"`]);
      }
      return JSON.stringify(doc);
    }
    if (b.cloud === 'gcp' && doc.type === 'service_account') {
      return JSON.stringify({ conn_type: b.connection.type, extra: { ...extra, keyfile_dict: doc } });
    }
    const id = doc.AccessKeyId ?? doc.aws_access_key_id ?? doc.accessKeyId;
    const key = doc.SecretAccessKey ?? doc.aws_secret_access_key ?? doc.secretAccessKey;
    if (b.cloud === 'aws' && typeof id === 'string' && typeof key === 'string') {
      return JSON.stringify({ conn_type: 'aws', login: id, password: key, extra: { region_name: b.storage.region, ...extra } });
    }
  }
  if (b.cloud === 'azure' && /^DefaultEndpointsProtocol=/.test(secret.trim())) {
    return JSON.stringify({ conn_type: 'wasb', extra: { ...extra, connection_string: secret.trim() } });
  }
  throw new AirflowSettingsError(where, [
    'holds neither an Airflow connection JSON (with "conn_type") nor a credential shape the kit knows; check what the stack wrote',
  ]);
}
