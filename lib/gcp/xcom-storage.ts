import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BINDING_SCHEMA_VERSION, CONN_TYPE_BY_CLOUD, xcomObjectStoragePath, type AirflowBinding } from '../binding';
import { CONNECTION_ID, environmentNameFrom, gcsBucketNameProblems, prefixProblems } from '../rules';
import { addBindingOutput } from '../terraform/binding-output';
import { GcsXcomGrants, iamMember } from './grants';
import { XcomBucket } from './xcom-bucket';

/** fsspec codec names Airflow's common.io backend accepts for `xcom_objectstorage_compression`. */
export type GcsXcomCompression = 'zip' | 'bz2' | 'gzip' | 'lzma' | 'xz' | 'lz4' | 'zstd';

export interface AirflowXcomGcsStorageProps {
  /** Project that owns the bucket and the custom roles. */
  readonly project: string;
  /** Bucket location: a region (`europe-west1`), dual-region (`EUR4`) or multi-region (`EU`). */
  readonly location: string;
  /** Bucket name (globally unique). */
  readonly bucketName: string;
  /**
   * Key prefix of the XCom objects, without slashes at either end; lifecycle rules and grants are
   * scoped to it (a managed folder). The empty string declares a dedicated bucket.
   * @default 'xcom'
   */
  readonly prefix?: string;
  /**
   * Days after which live objects under the prefix are deleted.
   * @default 30
   */
  readonly expirationDays?: number;
  /**
   * Days after which noncurrent versions under the prefix are deleted.
   * @default 7
   */
  readonly noncurrentExpirationDays?: number;
  /**
   * Also require this many newer versions before a noncurrent version is deleted.
   * @default - age alone decides
   */
  readonly noncurrentVersionsToRetain?: number;
  /**
   * Soft-delete retention in days: 0 (off) or 7-90.
   * @default 0
   */
  readonly softDeleteDays?: number;
  /**
   * CMEK key resource name; the Cloud Storage service agent is granted encrypt/decrypt on it.
   * @default - Google-managed encryption
   */
  readonly kmsKeyName?: string;
  /**
   * Bucket labels (GCP label rules: lower-case keys and values).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Refuse `terraform destroy` of the bucket (`lifecycle.prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Airflow connection id: the user part of `gs://<conn_id>@<bucket>/<prefix>`.
   * @default 'gcp_xcoms'
   */
  readonly connectionId?: string;
  /**
   * `[common.io] xcom_objectstorage_threshold` in the binding (bytes; -1 keeps everything in the database).
   * @default 1024
   */
  readonly threshold?: number;
  /**
   * `[common.io] xcom_objectstorage_compression` in the binding; `'none'` leaves it unset.
   * @default 'gzip'
   */
  readonly compression?: GcsXcomCompression | 'none';
  /**
   * Environment name written into the binding.
   * @default - the id of the stack
   */
  readonly environment?: string;
  /**
   * Suffix of the two custom role ids (`xcomkit_objects_<suffix>`), unique in the project: letters,
   * digits and "_", at most 40 characters.
   * @default - the bucket name with "-" turned into "_" (first 40 characters)
   */
  readonly roleSuffix?: string;
}

/**
 * Airflow XCom storage on Google Cloud Storage (CDK for Terraform): a bucket with uniform access,
 * public access prevention enforced, versioning, lifecycle rules on the prefix, soft delete chosen
 * deliberately, optional CMEK; `grantReadWrite` gives a principal the user already has (a Composer or
 * GKE service account) exactly what gcsfs calls, on the managed folder `<prefix>/`; the Airflow
 * binding `xcomkit` reads.
 */
export class AirflowXcomGcsStorage extends Construct {
  public readonly storage: XcomBucket;
  public readonly prefix: string;
  public readonly connectionId: string;
  private readonly props: AirflowXcomGcsStorageProps;
  private grants?: GcsXcomGrants;
  private readonly members: string[] = [];

  constructor(scope: Construct, id: string, props: AirflowXcomGcsStorageProps) {
    super(scope, id);
    this.props = props;
    this.prefix = props.prefix ?? 'xcom';
    this.connectionId = props.connectionId ?? 'gcp_xcoms';
    validate(props, this.prefix);
    this.storage = new XcomBucket(this, 'xcom-bucket', {
      project: props.project,
      name: props.bucketName,
      location: props.location,
      prefix: this.prefix,
      currentDays: props.expirationDays ?? 30,
      noncurrentDays: props.noncurrentExpirationDays ?? 7,
      noncurrentNewerVersions: props.noncurrentVersionsToRetain,
      softDeleteDays: props.softDeleteDays,
      kmsKeyName: props.kmsKeyName,
      labels: props.labels,
      preventDestroy: props.preventDestroy,
    });
  }

  /**
   * Grants `principal` (a service-account e-mail such as Composer's, or an IAM member string
   * `serviceAccount:...`, `principal://...`) the two custom roles: `storage.buckets.get` on the
   * bucket, object get/create/delete/list on the managed folder `<prefix>/` only. The first principal
   * granted becomes the binding's identity (mode `existing`: Airflow runs with its own credentials).
   * Returns the IAM member granted.
   */
  public grantReadWrite(principal: string): string {
    const member = iamMember(principal);
    if (/[\s*]/.test(member)) throw new Error(`AirflowXcomGcsStorage.grantReadWrite: "${principal}" is not a principal (no spaces or wildcards)`);
    this.grants ??= new GcsXcomGrants(this, {
      project: this.props.project,
      bucketName: this.storage.bucket.name,
      prefix: this.prefix,
      roleSuffix: this.props.roleSuffix ?? this.props.bucketName.replace(/-/g, '_').slice(0, 40),
      label: this.props.bucketName,
    });
    this.grants.grant(member, `-${this.members.length + 1}`);
    this.members.push(member);
    return member;
  }

  /** The Airflow binding (mode `existing`); needs a `grantReadWrite` first. */
  public get binding(): AirflowBinding {
    if (this.members.length === 0) throw new Error(`${this.node.path}: no principal granted yet: call grantReadWrite(<service account e-mail>) before reading the binding`);
    const principals = this.members.map((m) => m.replace(/^serviceAccount:/, ''));
    return {
      schemaVersion: BINDING_SCHEMA_VERSION,
      cloud: 'gcp',
      environment: this.props.environment ?? environmentNameFrom(TerraformStack.of(this).node.id),
      storage: { bucket: this.props.bucketName, prefix: this.prefix, region: this.props.location },
      xcom: {
        path: xcomObjectStoragePath('gcp', this.connectionId, this.props.bucketName, this.prefix),
        threshold: this.props.threshold ?? 1024,
        compression: this.props.compression === 'none' ? null : (this.props.compression ?? 'gzip'),
      },
      connection: { id: this.connectionId, type: CONN_TYPE_BY_CLOUD.gcp, extra: { project: this.props.project } },
      identity: { mode: 'existing', principal: principals[0], principals },
    };
  }

  /** Emits the binding as the Terraform output `airflow_binding` of the stack, which `xcomkit` reads. */
  public addBindingOutput(): TerraformOutput {
    return addBindingOutput(TerraformStack.of(this), this.binding);
  }
}

function validate(props: AirflowXcomGcsStorageProps, prefix: string): void {
  const problems = prefixProblems(prefix).map((p) => `prefix "${prefix}": ${p}`);
  const bucketProblems = gcsBucketNameProblems(props.bucketName);
  if (bucketProblems.length > 0) problems.push(`bucketName "${props.bucketName}": is not a valid GCS bucket name: it ${bucketProblems.join('; it ')}`);
  for (const [name, value, min] of [
    ['expirationDays', props.expirationDays, 1],
    ['noncurrentExpirationDays', props.noncurrentExpirationDays, 1],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > 3650)) problems.push(`${name}: ${value} must be a whole number of days from 1 to 3650`);
  }
  const soft = props.softDeleteDays;
  if (soft !== undefined && !(soft === 0 || (Number.isInteger(soft) && soft >= 7 && soft <= 90))) problems.push(`softDeleteDays: ${soft} must be 0 (off) or 7 to 90`);
  if (props.roleSuffix !== undefined && !/^[A-Za-z0-9_]{1,40}$/.test(props.roleSuffix)) problems.push(`roleSuffix "${props.roleSuffix}": must be 1-40 letters, digits and "_"`);
  if (props.connectionId !== undefined && !CONNECTION_ID.test(props.connectionId)) problems.push(`connectionId "${props.connectionId}": must start with a letter and hold only letters, digits and underscores`);
  if (problems.length > 0) throw new Error(`AirflowXcomGcsStorage: invalid props:\n  - ${problems.join('\n  - ')}`);
}
