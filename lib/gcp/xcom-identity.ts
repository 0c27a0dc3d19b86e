import type { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { SecretManagerSecret, SecretManagerSecretReplication } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ServiceAccountKey } from '@cdktf/provider-google/lib/service-account-key';
import type { StorageManagedFolder } from '@cdktf/provider-google/lib/storage-managed-folder';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { connectionSecretName } from '../binding';
import type { GcpIdentity } from '../config/gcp';
import { defaultGcpConnectionsPrefix, defaultWorkloadPool, isGcpRegion, SERVICE_ACCOUNT_ID } from '../config/gcp';
import { GcsXcomGrants } from './grants';
import { SECRET_ACCESSOR_ROLE, WORKLOAD_IDENTITY_USER_ROLE } from './permissions';

export interface XcomIdentityProps {
  readonly project: string;
  /** Environment name: suffix of the service account id and the custom role ids. */
  readonly environment: string;
  /** Name of the XCom bucket (a literal or a token). */
  readonly bucketName: string;
  /** Bucket location (secret replicas follow it in user-managed replication). */
  readonly location: string;
  /** Key prefix without slashes at either end; empty for a dedicated bucket (grants then cover the bucket). */
  readonly prefix: string;
  /** Airflow connection id (key mode: part of the secret id). */
  readonly connectionId: string;
  /** How Airflow authenticates (mode `existing` creates no identity: see `GcsXcomGrants`). */
  readonly identity: Exclude<GcpIdentity, { mode: 'existing' }>;
  /** Labels for the secret (key mode). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** What the key mode stored, for the binding. */
export interface GcpSecretInfo {
  readonly name: string;
  readonly connectionsPrefix: string;
  readonly id: string;
}

/**
 * The `airflow-xcoms-<env>` service account with exactly the access gcsfs needs:
 * - a custom role holding only `storage.buckets.get`, granted on the bucket (keeps gcsfs `mkdir` from
 *   trying to create the bucket, without the whole-bucket listing `roles/storage.legacyBucketReader` has);
 * - a custom role of get/create/delete/list on objects, granted on the managed folder `<prefix>/`
 *   (managed-folder IAM covers the objects under the folder and listings whose prefix lies inside it).
 * Plus Workload Identity bindings for GKE service accounts, or a key stored in Secret Manager as an
 * Airflow connection.
 */
export class XcomIdentity extends Construct {
  public readonly serviceAccount: ServiceAccount;
  public readonly bucketRole: ProjectIamCustomRole;
  public readonly objectRole: ProjectIamCustomRole;
  public readonly managedFolder?: StorageManagedFolder;
  public readonly secret?: GcpSecretInfo;
  /** Workload identity: the GKE pool whose Kubernetes service accounts may act as the service account. */
  public readonly workloadPool?: string;

  constructor(scope: Construct, id: string, props: XcomIdentityProps) {
    super(scope, id);
    const { identity, environment } = props;

    const accountId = `${identity.serviceAccountId}-${environment}`;
    if (!SERVICE_ACCOUNT_ID.test(accountId)) {
      throw new Error(
        `gcp.identity.serviceAccountId: "${identity.serviceAccountId}" plus the environment suffix gives "${accountId}" (${accountId.length} characters), which is not a valid service account id (6-30 lower-case letters, digits and "-"): choose a shorter serviceAccountId`,
      );
    }
    this.serviceAccount = new ServiceAccount(this, 'service-account', {
      project: props.project,
      accountId,
      displayName: `Airflow XComs (${environment})`,
      description: `Reads and writes Airflow XCom objects under gs://${props.bucketName}/${props.prefix} (airflow-xcom-kit)`,
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;

    // Custom role ids allow letters, digits, "_" and "."; environment names also hold "-".
    const grants = new GcsXcomGrants(this, { project: props.project, bucketName: props.bucketName, prefix: props.prefix, roleSuffix: environment.replace(/-/g, '_'), label: environment });
    this.bucketRole = grants.bucketRole;
    this.objectRole = grants.objectRole;
    this.managedFolder = grants.managedFolder;
    grants.grant(member);

    if (identity.mode === 'workload-identity') {
      // The pool belongs to the cluster's project, which need not be the bucket's.
      this.workloadPool = identity.workloadPool ?? defaultWorkloadPool(props.project);
      identity.kubernetes.forEach((ksa) => {
        new ServiceAccountIamMember(this, `workload-identity-${ksa.namespace}-${ksa.serviceAccount}`, {
          serviceAccountId: this.serviceAccount.name,
          role: WORKLOAD_IDENTITY_USER_ROLE,
          member: `serviceAccount:${this.workloadPool}[${ksa.namespace}/${ksa.serviceAccount}]`,
        });
      });
      return;
    }

    // Key mode: the key (and so the connection) is in Terraform state; see docs/gcp-azure.md.
    const key = new ServiceAccountKey(this, 'key', {
      serviceAccountId: this.serviceAccount.name,
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE',
    });
    const connectionsPrefix = identity.connectionsPrefix ?? defaultGcpConnectionsPrefix(environment);
    const secretId = connectionSecretName('gcp-secret-manager', connectionsPrefix, props.connectionId);
    if (secretId.length > 255) throw new Error(`gcp.identity.connectionsPrefix: secret id "${secretId}" is longer than 255 characters`);
    const secret = new SecretManagerSecret(this, 'connection-secret', {
      project: props.project,
      secretId,
      replication: secretReplication(identity.secretReplication, props.location),
      labels: props.labels ? { ...props.labels } : undefined,
    });
    new SecretManagerSecretVersion(this, 'connection-secret-version', {
      secret: secret.id,
      secretData: Fn.jsonencode({
        conn_type: 'google_cloud_platform',
        extra: { project: props.project, keyfile_dict: Fn.jsondecode(Fn.base64decode(key.privateKey)) },
      }),
    });
    identity.secretAccessors.forEach((accessor, index) => {
      new SecretManagerSecretIamMember(this, `secret-accessor-${index}`, {
        project: props.project,
        secretId: secret.secretId,
        role: SECRET_ACCESSOR_ROLE,
        member: accessor,
      });
    });
    this.secret = { name: secretId, connectionsPrefix, id: `projects/${props.project}/secrets/${secretId}` };
  }
}

function secretReplication(settings: Extract<GcpIdentity, { mode: 'key' }>['secretReplication'], location: string): SecretManagerSecretReplication {
  if (settings.type === 'automatic') return { auto: {} };
  const locations = settings.locations ?? (isGcpRegion(location) ? [location] : undefined);
  if (!locations) {
    throw new Error(`gcp.identity.secretReplication.locations: required because the bucket location "${location}" is not a single region`);
  }
  return { userManaged: { replicas: locations.map((l) => ({ location: l })) } };
}
