import type { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { SecretManagerSecret, SecretManagerSecretReplication } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ServiceAccountKey } from '@cdktf/provider-google/lib/service-account-key';
import type { StorageManagedFolder } from '@cdktf/provider-google/lib/storage-managed-folder';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { connectionSecretName } from '../binding';
import {
  CONNECTION_ID,
  CONNECTION_ID_RULE,
  CONNECTIONS_PREFIX,
  defaultGcpConnectionsPrefix,
  defaultWorkloadPool,
  ENVIRONMENT_NAME,
  ENVIRONMENT_NAME_RULE,
  GCP_PROJECT_ID,
  GCP_PROJECT_ID_RULE,
  GCP_REGION,
  GCP_SECRET_ID_MAX,
  gcsBucketNameProblems,
  IAM_MEMBER,
  IAM_MEMBER_RULE,
  isGcpRegion,
  KUBERNETES_NAME,
  prefixProblems,
  regionProblem,
  SERVICE_ACCOUNT_ID,
  SERVICE_ACCOUNT_ID_RULE,
  showValue,
  WORKLOAD_POOL,
  WORKLOAD_POOL_RULE,
} from '../rules';
import { GcsXcomGrants } from './grants';
import { SECRET_ACCESSOR_ROLE, WORKLOAD_IDENTITY_USER_ROLE } from './permissions';

/** A Kubernetes service account (of a GKE cluster) that runs Airflow tasks. */
export interface GkeServiceAccount {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Workload Identity: GKE service accounts act as the created service account; no key exists. */
export interface GcpWorkloadIdentityOptions {
  /** The Kubernetes service accounts (Airflow workers) that may act as the service account; at least one. */
  readonly kubernetesServiceAccounts: GkeServiceAccount[];
  /**
   * Workload identity pool of the GKE cluster, `<cluster project>.svc.id.goog`; set it when the
   * cluster runs in another project than the bucket.
   * @default - the pool of `project`, `<project>.svc.id.goog`
   */
  readonly workloadPool?: string;
}

/** Key mode: a service-account key stored in Secret Manager as an Airflow connection. */
export interface GcpKeyOptions {
  /**
   * Secret Manager prefix Airflow's CloudSecretManagerBackend reads connections from (separator "-").
   * @default - `airflow-<environment>-connections`
   */
  readonly connectionsPrefix?: string;
  /**
   * Replication of the secret: Google-chosen regions, or user-managed replicas.
   * @default 'automatic'
   */
  readonly secretReplication?: 'automatic' | 'user-managed';
  /**
   * Replica regions of a user-managed secret (only with `secretReplication: 'user-managed'`).
   * @default - the bucket location, which must then be a single region
   */
  readonly secretReplicaLocations?: string[];
  /**
   * IAM members granted `roles/secretmanager.secretAccessor` on the secret (whatever Airflow reads secrets as).
   * @default - none
   */
  readonly secretAccessors?: string[];
}

export interface XcomIdentityProps {
  /** Project of the service account, the custom roles and the secret. */
  readonly project: string;
  /** Environment name: suffix of the service account id and the custom role ids (1-20 lower-case letters, digits and "-"). */
  readonly environment: string;
  /** Name of the XCom bucket (a literal or a token). */
  readonly bucketName: string;
  /** Bucket location (secret replicas follow it in user-managed replication). */
  readonly location: string;
  /**
   * Key prefix without slashes at either end; the empty string for a dedicated bucket (grants then cover the bucket).
   * @default 'xcom'
   */
  readonly prefix?: string;
  /**
   * Airflow connection id (key mode: part of the secret id).
   * @default 'gcp_xcoms'
   */
  readonly connectionId?: string;
  /**
   * Service account id; the environment is appended (`airflow-xcoms-prod`), 6-30 characters in all.
   * @default 'airflow-xcoms'
   */
  readonly serviceAccountId?: string;
  /**
   * Authenticate through GKE Workload Identity. Set exactly one of `workloadIdentity` and `key`.
   * @default - none (then `key` must be set)
   */
  readonly workloadIdentity?: GcpWorkloadIdentityOptions;
  /**
   * Authenticate with a service-account key kept in Secret Manager. Set exactly one of `workloadIdentity` and `key`.
   * @default - none (then `workloadIdentity` must be set)
   */
  readonly key?: GcpKeyOptions;
  /**
   * Labels for the secret (key mode).
   * @default - none
   */
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
    validate(props);
    const { environment } = props;
    const prefix = props.prefix ?? 'xcom';

    const accountId = `${props.serviceAccountId ?? 'airflow-xcoms'}-${environment}`;
    this.serviceAccount = new ServiceAccount(this, 'service-account', {
      project: props.project,
      accountId,
      displayName: `Airflow XComs (${environment})`,
      description: `Reads and writes Airflow XCom objects under gs://${props.bucketName}/${prefix} (airflow-xcom-kit)`,
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;

    // Custom role ids allow letters, digits, "_" and "."; environment names also hold "-".
    const grants = new GcsXcomGrants(this, { project: props.project, bucketName: props.bucketName, prefix, roleSuffix: environment.replace(/-/g, '_'), label: environment });
    this.bucketRole = grants.bucketRole;
    this.objectRole = grants.objectRole;
    this.managedFolder = grants.managedFolder;
    grants.grant(member);

    const workload = props.workloadIdentity;
    if (workload) {
      // The pool belongs to the cluster's project, which need not be the bucket's.
      this.workloadPool = workload.workloadPool ?? defaultWorkloadPool(props.project);
      workload.kubernetesServiceAccounts.forEach((ksa) => {
        new ServiceAccountIamMember(this, `workload-identity-${ksa.namespace}-${ksa.serviceAccount}`, {
          serviceAccountId: this.serviceAccount.name,
          role: WORKLOAD_IDENTITY_USER_ROLE,
          member: `serviceAccount:${this.workloadPool}[${ksa.namespace}/${ksa.serviceAccount}]`,
        });
      });
      return;
    }

    // Key mode: the key (and so the connection) is in Terraform state; see docs/gcp-azure.md.
    const keyOptions = props.key!;
    const key = new ServiceAccountKey(this, 'key', {
      serviceAccountId: this.serviceAccount.name,
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE',
    });
    const connectionsPrefix = keyOptions.connectionsPrefix ?? defaultGcpConnectionsPrefix(environment);
    const secretId = connectionSecretName('gcp-secret-manager', connectionsPrefix, props.connectionId ?? 'gcp_xcoms');
    const secret = new SecretManagerSecret(this, 'connection-secret', {
      project: props.project,
      secretId,
      replication: secretReplication(keyOptions, props.location),
      labels: props.labels ? { ...props.labels } : undefined,
    });
    new SecretManagerSecretVersion(this, 'connection-secret-version', {
      secret: secret.id,
      secretData: Fn.jsonencode({
        conn_type: 'google_cloud_platform',
        extra: { project: props.project, keyfile_dict: Fn.jsondecode(Fn.base64decode(key.privateKey)) },
      }),
    });
    (keyOptions.secretAccessors ?? []).forEach((accessor, index) => {
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

function secretReplication(options: GcpKeyOptions, location: string): SecretManagerSecretReplication {
  if ((options.secretReplication ?? 'automatic') === 'automatic') return { auto: {} };
  const locations = options.secretReplicaLocations ?? [location];
  return { userManaged: { replicas: locations.map((l) => ({ location: l })) } };
}

/** A literal that breaks `rule`, as "<prop> <value>: <rule>"; tokens resolve at deploy and are not checked. */
function check(problems: string[], prop: string, value: string | undefined, ok: (v: string) => boolean, rule: string): void {
  if (value === undefined || Token.isUnresolved(value) || ok(value)) return;
  problems.push(`${prop} ${showValue(value)}: ${rule}`);
}

/** Every problem at once, naming the prop and the value. */
function validate(props: XcomIdentityProps): void {
  const problems: string[] = [];
  check(problems, 'project', props.project, (v) => GCP_PROJECT_ID.test(v), GCP_PROJECT_ID_RULE);
  check(problems, 'environment', props.environment, (v) => ENVIRONMENT_NAME.test(v), ENVIRONMENT_NAME_RULE);
  const bucketProblems = Token.isUnresolved(props.bucketName) ? [] : gcsBucketNameProblems(props.bucketName);
  if (bucketProblems.length > 0) problems.push(`bucketName ${showValue(props.bucketName)}: is not a valid GCS bucket name: it ${bucketProblems.join('; it ')}`);
  const locationProblem = Token.isUnresolved(props.location) ? undefined : regionProblem('gcp', props.location);
  if (locationProblem) problems.push(`location ${showValue(props.location)}: ${locationProblem}`);
  if (props.prefix !== undefined) problems.push(...prefixProblems(props.prefix).map((p) => `prefix ${showValue(props.prefix)}: ${p}`));
  check(problems, 'connectionId', props.connectionId, (v) => CONNECTION_ID.test(v), CONNECTION_ID_RULE);
  check(problems, 'serviceAccountId', props.serviceAccountId, (v) => SERVICE_ACCOUNT_ID.test(v), SERVICE_ACCOUNT_ID_RULE);
  const baseId = props.serviceAccountId ?? 'airflow-xcoms';
  const accountId = `${baseId}-${props.environment}`;
  if (SERVICE_ACCOUNT_ID.test(baseId) && ENVIRONMENT_NAME.test(props.environment) && !SERVICE_ACCOUNT_ID.test(accountId)) {
    problems.push(
      `serviceAccountId ${showValue(baseId)}: plus the environment suffix gives "${accountId}" (${accountId.length} characters), which is not a valid service account id (6-30 lower-case letters, digits and "-"): choose a shorter serviceAccountId`,
    );
  }

  const { workloadIdentity: workload, key } = props;
  if ((workload === undefined) === (key === undefined)) problems.push('workloadIdentity, key: set exactly one of them (how Airflow authenticates as the service account)');
  if (workload) {
    if (workload.kubernetesServiceAccounts.length === 0) problems.push('workloadIdentity.kubernetesServiceAccounts: []: name at least one Kubernetes service account that runs Airflow tasks');
    workload.kubernetesServiceAccounts.forEach((ksa, i) => {
      const rule = 'must be a Kubernetes name (lower-case letters, digits and "-", starting and ending with a letter or digit)';
      check(problems, `workloadIdentity.kubernetesServiceAccounts[${i}].namespace`, ksa.namespace, (v) => KUBERNETES_NAME.test(v), rule);
      check(problems, `workloadIdentity.kubernetesServiceAccounts[${i}].serviceAccount`, ksa.serviceAccount, (v) => KUBERNETES_NAME.test(v), rule);
    });
    check(problems, 'workloadIdentity.workloadPool', workload.workloadPool, (v) => WORKLOAD_POOL.test(v), WORKLOAD_POOL_RULE);
  }
  if (key) {
    const rule = CONNECTIONS_PREFIX['gcp-secret-manager'];
    check(problems, 'key.connectionsPrefix', key.connectionsPrefix, (v) => rule.pattern.test(v), rule.rule);
    const connectionsPrefix = key.connectionsPrefix ?? defaultGcpConnectionsPrefix(props.environment);
    const secretId = connectionSecretName('gcp-secret-manager', connectionsPrefix, props.connectionId ?? 'gcp_xcoms');
    if (secretId.length > GCP_SECRET_ID_MAX) problems.push(`key.connectionsPrefix ${showValue(connectionsPrefix)}: the secret id "${secretId}" is longer than ${GCP_SECRET_ID_MAX} characters: choose a shorter prefix or connectionId`);
    const replication = key.secretReplication ?? 'automatic';
    if (replication !== 'automatic' && replication !== 'user-managed') problems.push(`key.secretReplication ${showValue(replication)}: must be "automatic" or "user-managed"`);
    if (replication === 'automatic' && key.secretReplicaLocations !== undefined) problems.push('key.secretReplicaLocations: only with secretReplication "user-managed"');
    if (replication === 'user-managed') {
      const locations = key.secretReplicaLocations;
      if (locations === undefined && !Token.isUnresolved(props.location) && !isGcpRegion(props.location)) {
        problems.push(`key.secretReplicaLocations: required because the bucket location ${showValue(props.location)} is not a single region: name the replica regions (e.g. ["europe-west1"])`);
      }
      if (locations !== undefined && locations.length === 0) problems.push('key.secretReplicaLocations: []: name at least one region');
      (locations ?? []).forEach((l, i) => check(problems, `key.secretReplicaLocations[${i}]`, l, (v) => GCP_REGION.test(v), 'must be a GCP region such as europe-west1'));
    }
    (key.secretAccessors ?? []).forEach((m, i) => check(problems, `key.secretAccessors[${i}]`, m, (v) => IAM_MEMBER.test(v), IAM_MEMBER_RULE));
  }
  if (problems.length > 0) throw new Error(`XcomIdentity: invalid props:\n  - ${problems.join('\n  - ')}`);
}
