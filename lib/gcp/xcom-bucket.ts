import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { StorageBucket, StorageBucketLifecycleRule } from '@cdktf/provider-google/lib/storage-bucket';
import { Construct } from 'constructs';
import { KMS_ENCRYPTER_DECRYPTER_ROLE } from './permissions';

export interface XcomBucketProps {
  /** Project that owns the bucket. */
  readonly project: string;
  /** Bucket name (globally unique). */
  readonly name: string;
  /** Region, dual-region or multi-region. */
  readonly location: string;
  /** Key prefix of the XCom objects, without slashes at either end; empty for a dedicated bucket. */
  readonly prefix: string;
  /** Days after which live objects under the prefix are deleted. */
  readonly currentDays: number;
  /** Days after which noncurrent versions under the prefix are deleted. */
  readonly noncurrentDays: number;
  /**
   * Also require this many newer versions before a noncurrent version is deleted (`num_newer_versions`).
   * @default - age alone decides
   */
  readonly noncurrentNewerVersions?: number;
  /**
   * Soft-delete retention in days; 0 turns soft delete off.
   * @default 0
   */
  readonly softDeleteDays?: number;
  /**
   * CMEK key resource name; the Cloud Storage service agent is granted encrypt/decrypt on it.
   * @default - Google-managed encryption
   */
  readonly kmsKeyName?: string;
  /**
   * Bucket labels (already sanitized).
   * @default - no labels
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Refuse `terraform destroy` of the bucket (`lifecycle.prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A GCS bucket for XComs: uniform bucket-level access, public access prevention enforced, versioning,
 * lifecycle rules scoped to the prefix, soft delete chosen deliberately, optional CMEK, never force-destroyed.
 */
export class XcomBucket extends Construct {
  public readonly bucket: StorageBucket;
  /** Object prefix the lifecycle rules match: `<prefix>/`, or empty for a dedicated bucket. */
  public readonly objectPrefix: string;

  constructor(scope: Construct, id: string, props: XcomBucketProps) {
    super(scope, id);
    this.objectPrefix = props.prefix === '' ? '' : `${props.prefix}/`;
    const matchesPrefix = this.objectPrefix === '' ? undefined : [this.objectPrefix];

    const lifecycleRule: StorageBucketLifecycleRule[] = [
      // XCom objects are short-lived: delete the live version after N days (it becomes noncurrent).
      { action: { type: 'Delete' }, condition: { age: props.currentDays, matchesPrefix, withState: 'LIVE' } },
      // Overwritten or purged versions: delete after M days (and K newer versions, when configured).
      {
        action: { type: 'Delete' },
        condition: {
          daysSinceNoncurrentTime: props.noncurrentDays,
          numNewerVersions: props.noncurrentNewerVersions,
          matchesPrefix,
          withState: 'ARCHIVED',
        },
      },
      // XML-API multipart uploads left behind (gcsfs uses the JSON API, other writers may not).
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ];

    let kmsGrant: KmsCryptoKeyIamMember | undefined;
    if (props.kmsKeyName) {
      const agent = new DataGoogleStorageProjectServiceAccount(this, 'storage-agent', { project: props.project });
      kmsGrant = new KmsCryptoKeyIamMember(this, 'storage-agent-kms', {
        cryptoKeyId: props.kmsKeyName,
        role: KMS_ENCRYPTER_DECRYPTER_ROLE,
        member: agent.member,
      });
    }

    this.bucket = new StorageBucket(this, 'bucket', {
      project: props.project,
      name: props.name,
      location: props.location,
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: true },
      softDeletePolicy: { retentionDurationSeconds: (props.softDeleteDays ?? 0) * 86_400 },
      encryption: props.kmsKeyName ? { defaultKmsKeyName: props.kmsKeyName } : undefined,
      forceDestroy: false,
      labels: props.labels ? { ...props.labels } : undefined,
      lifecycleRule,
      dependsOn: kmsGrant ? [kmsGrant] : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
  }
}
