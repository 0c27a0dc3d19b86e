import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AirflowBinding, BINDING_SCHEMA_VERSION, BindingIdentity, CONN_TYPE_BY_CLOUD, connectionSecretName, xcomObjectStoragePath } from '../binding';
import type { GcpIdentity } from '../config/gcp';
import type { EnvironmentConfig } from '../config/schema';
import { defaultGcpConnectionsPrefix, GCP_SECRET_ID_MAX, gcsBucketNameProblems, SERVICE_ACCOUNT_ID } from '../rules';
import { configureStateBackend } from '../terraform/backend';
import { addBindingOutput } from '../terraform/binding-output';
import { stackName } from '../terraform/naming';
import { GcsXcomGrants, iamMember } from '../gcp/grants';
import { labelsFromTags } from '../gcp/labels';
import { XcomBucket } from '../gcp/xcom-bucket';
import { XcomIdentity, type XcomIdentityProps } from '../gcp/xcom-identity';

export interface GcpXcomStackProps {
  /** Environment name (dev, staging, prod, ...). */
  readonly environment: string;
  /** The validated environment; must have a `gcp` section. */
  readonly config: EnvironmentConfig;
}

/** Default bucket name: `<project>-airflow-xcoms-<env>`. */
export function defaultGcsBucketName(project: string, environment: string): string {
  return `${project}-airflow-xcoms-${environment}`;
}

/** One environment on Google Cloud: the XCom bucket, its identity and the Airflow binding output. */
export class GcpXcomStack extends TerraformStack {
  public readonly binding: AirflowBinding;
  public readonly bucket: XcomBucket;
  /** The service account the stack created (not in mode `existing`). */
  public readonly identity?: XcomIdentity;

  constructor(scope: Construct, props: GcpXcomStackProps) {
    super(scope, stackName('gcp', props.environment));
    const { config, environment } = props;
    const gcp = config.gcp;
    if (!gcp) throw new Error(`environment "${environment}" has no gcp section`);

    const bucketName = gcp.bucketName ?? defaultGcsBucketName(gcp.project, environment);
    const problems = gcsBucketNameProblems(bucketName);
    if (problems.length > 0) {
      throw new Error(`gcp.bucketName: the default name "${bucketName}" is not a valid GCS bucket name (it ${problems.join('; it ')}): set gcp.bucketName`);
    }
    const labels = labelsFromTags(config.tags);

    new GoogleProvider(this, 'google', { project: gcp.project });
    configureStateBackend(this, gcp.state);

    this.bucket = new XcomBucket(this, 'xcom-bucket', {
      project: gcp.project,
      name: bucketName,
      location: gcp.location,
      prefix: config.xcom.prefix,
      currentDays: config.retention.currentDays,
      noncurrentDays: config.retention.noncurrentDays,
      noncurrentNewerVersions: config.retention.noncurrentNewerVersions,
      softDeleteDays: gcp.softDeleteDays,
      kmsKeyName: gcp.kmsKeyName,
      labels,
      preventDestroy: config.removalPolicy === 'retain',
    });

    const path = xcomObjectStoragePath('gcp', gcp.connectionId, bucketName, config.xcom.prefix);
    let identity: BindingIdentity;
    let principal: string;
    if (gcp.identity.mode === 'existing') {
      // Grants straight to the named service accounts; same ids as the other modes' roles and folder.
      const grants = new GcsXcomGrants(new Construct(this, 'xcom-identity'), {
        project: gcp.project,
        bucketName: this.bucket.bucket.name,
        prefix: config.xcom.prefix,
        roleSuffix: environment.replace(/-/g, '_'),
        label: environment,
      });
      gcp.identity.serviceAccounts.forEach((email, index) => grants.grant(iamMember(email), index === 0 ? '' : `-${index + 1}`));
      principal = gcp.identity.serviceAccounts[0];
      identity = { mode: 'existing', principal, principals: [...gcp.identity.serviceAccounts] };
    } else {
      this.identity = new XcomIdentity(this, 'xcom-identity', {
        project: gcp.project,
        environment,
        bucketName: this.bucket.bucket.name,
        location: gcp.location,
        prefix: config.xcom.prefix,
        connectionId: gcp.connectionId,
        serviceAccountId: gcp.identity.serviceAccountId,
        ...identityProps(gcp.identity, environment, gcp.connectionId),
        labels,
      });
      principal = this.identity.serviceAccount.email;
      identity = {
        mode: gcp.identity.mode,
        principal,
        ...(gcp.identity.mode === 'workload-identity'
          ? { kubernetesServiceAccounts: gcp.identity.kubernetes.map((k) => ({ namespace: k.namespace, serviceAccount: k.serviceAccount })) }
          : {}),
        ...(this.identity.secret ? { secret: { store: 'gcp-secret-manager' as const, ...this.identity.secret } } : {}),
      };
    }
    this.binding = {
      schemaVersion: BINDING_SCHEMA_VERSION,
      cloud: 'gcp',
      environment,
      storage: { bucket: bucketName, prefix: config.xcom.prefix, region: gcp.location },
      xcom: { path, threshold: config.xcom.threshold, compression: config.xcom.compression },
      connection: { id: gcp.connectionId, type: CONN_TYPE_BY_CLOUD.gcp, extra: { project: gcp.project } },
      identity,
    };
    addBindingOutput(this, this.binding);

    new TerraformOutput(this, 'bucket_name', { value: this.bucket.bucket.name, description: 'XCom bucket' });
    new TerraformOutput(this, 'xcom_objectstorage_path', { value: path, description: 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH' });
    new TerraformOutput(this, 'service_account_email', { value: principal, description: 'Service account Airflow acts as' });
    if (this.identity?.secret) {
      new TerraformOutput(this, 'connection_secret_id', { value: this.identity.secret.id, description: 'Secret Manager secret holding the Airflow connection (key mode)' });
    }
  }
}

/**
 * The identity section onto the construct's mode props. Rules that join the section with the
 * environment name are checked here, so the message names the config field, not the prop.
 */
function identityProps(identity: Exclude<GcpIdentity, { mode: 'existing' }>, environment: string, connectionId: string): Pick<XcomIdentityProps, 'workloadIdentity' | 'key'> {
  const accountId = `${identity.serviceAccountId}-${environment}`;
  if (!SERVICE_ACCOUNT_ID.test(accountId)) {
    throw new Error(
      `gcp.identity.serviceAccountId: "${identity.serviceAccountId}" plus the environment suffix gives "${accountId}" (${accountId.length} characters), which is not a valid service account id (6-30 lower-case letters, digits and "-"): choose a shorter serviceAccountId`,
    );
  }
  if (identity.mode === 'workload-identity') {
    return {
      workloadIdentity: {
        kubernetesServiceAccounts: identity.kubernetes.map((k) => ({ namespace: k.namespace, serviceAccount: k.serviceAccount })),
        workloadPool: identity.workloadPool,
      },
    };
  }
  const connectionsPrefix = identity.connectionsPrefix ?? defaultGcpConnectionsPrefix(environment);
  const secretId = connectionSecretName('gcp-secret-manager', connectionsPrefix, connectionId);
  if (secretId.length > GCP_SECRET_ID_MAX) throw new Error(`gcp.identity.connectionsPrefix: secret id "${secretId}" is longer than ${GCP_SECRET_ID_MAX} characters`);
  const replication = identity.secretReplication;
  return {
    key: {
      connectionsPrefix: identity.connectionsPrefix,
      secretReplication: replication.type,
      secretReplicaLocations: replication.type === 'user-managed' ? replication.locations : undefined,
      secretAccessors: identity.secretAccessors,
    },
  };
}
