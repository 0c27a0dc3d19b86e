import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { StorageManagedFolder } from '@cdktf/provider-google/lib/storage-managed-folder';
import { StorageManagedFolderIamMember } from '@cdktf/provider-google/lib/storage-managed-folder-iam-member';
import type { Construct } from 'constructs';
import { BUCKET_METADATA_PERMISSIONS, OBJECT_PERMISSIONS } from './permissions';

export interface GcsXcomGrantsProps {
  readonly project: string;
  /** Name of the XCom bucket (a literal or a token). */
  readonly bucketName: string;
  /** Key prefix without slashes at either end; empty for a dedicated bucket (grants then cover the bucket). */
  readonly prefix: string;
  /** Suffix of the custom role ids (`xcomkit_objects_<suffix>`): letters, digits and "_". */
  readonly roleSuffix: string;
  /** Shown in the custom roles' titles. */
  readonly label: string;
}

/**
 * The least-privilege access gcsfs needs, as resources in `scope`, and grants of it to IAM members:
 * - a custom role holding only `storage.buckets.get`, granted on the bucket (keeps gcsfs `mkdir` from
 *   trying to create the bucket, without the whole-bucket listing `roles/storage.legacyBucketReader` has);
 * - a custom role of get/create/delete/list on objects, granted on the managed folder `<prefix>/`
 *   (managed-folder IAM covers the objects under the folder and listings whose prefix lies inside it),
 *   or on the bucket when it is dedicated.
 * A helper, not a construct: the resources keep the ids (and so the Terraform addresses) they have
 * always had in the scope that owns them.
 */
export class GcsXcomGrants {
  public readonly bucketRole: ProjectIamCustomRole;
  public readonly objectRole: ProjectIamCustomRole;
  public readonly managedFolder?: StorageManagedFolder;

  constructor(
    private readonly scope: Construct,
    private readonly props: GcsXcomGrantsProps,
  ) {
    this.bucketRole = new ProjectIamCustomRole(scope, 'bucket-role', {
      project: props.project,
      roleId: `xcomkit_bucket_metadata_${props.roleSuffix}`,
      title: `Airflow XComs bucket metadata (${props.label})`,
      description: 'storage.buckets.get only: gcsfs checks that the bucket exists before every write',
      permissions: [...BUCKET_METADATA_PERMISSIONS],
      stage: 'GA',
    });
    this.objectRole = new ProjectIamCustomRole(scope, 'object-role', {
      project: props.project,
      roleId: `xcomkit_objects_${props.roleSuffix}`,
      title: `Airflow XComs objects (${props.label})`,
      description: 'Object get/create/delete/list: what gcsfs needs to write, read and purge XComs',
      permissions: [...OBJECT_PERMISSIONS],
      stage: 'GA',
    });
    if (props.prefix !== '') {
      this.managedFolder = new StorageManagedFolder(scope, 'managed-folder', {
        bucket: props.bucketName,
        name: `${props.prefix}/`,
        // Leave the folder (and its IAM policy) in place when objects remain under it.
        forceDestroy: false,
      });
    }
  }

  /**
   * Grants both roles to `member` (`serviceAccount:<e-mail>`, `principal://...`). `suffix` tells the
   * IAM member resources of several members apart ('' for the first, which keeps the historic ids).
   */
  public grant(member: string, suffix = ''): void {
    new StorageBucketIamMember(this.scope, `bucket-metadata${suffix}`, { bucket: this.props.bucketName, role: this.bucketRole.name, member });
    if (this.managedFolder) {
      new StorageManagedFolderIamMember(this.scope, `folder-objects${suffix}`, {
        bucket: this.managedFolder.bucket,
        managedFolder: this.managedFolder.name,
        role: this.objectRole.name,
        member,
      });
    } else {
      // Dedicated bucket: the objects are the whole bucket.
      new StorageBucketIamMember(this.scope, `bucket-objects${suffix}`, { bucket: this.props.bucketName, role: this.objectRole.name, member });
    }
  }
}

/** A service-account e-mail, or an IAM member string that already carries its type. */
export function iamMember(principal: string): string {
  return /^(serviceAccount|user|group|domain):|^principal(Set)?:\/\//.test(principal) ? principal : `serviceAccount:${principal}`;
}
