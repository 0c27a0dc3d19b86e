/**
 * The exact IAM actions Airflow's S3 client needs, and nothing more.
 *
 * Airflow's stock XCom backend writes through `ObjectStoragePath` -> fsspec -> s3fs -> botocore.
 * Each action below names the client call(s) it authorizes; docs/aws.md repeats the table.
 * Changing a list changes what every deployed identity may do: the snapshot tests in
 * test/aws show the resulting policy documents for review.
 */

/** Actions on objects, granted on `arn:aws:s3:::<bucket>/<prefix>/*` only. */
export const OBJECT_ACTIONS = [
  // GetObject: reading an XCom value (deserialize_value) and HeadObject in s3fs `exists()` / `info()`.
  's3:GetObject',
  // PutObject: writing a value (serialize_value); also authorizes CreateMultipartUpload, UploadPart
  // and CompleteMultipartUpload for values s3fs uploads in parts.
  's3:PutObject',
  // DeleteObject: `purge()` on task retries and re-runs (`unlink(missing_ok=True)`).
  's3:DeleteObject',
  // AbortMultipartUpload: s3fs aborts a failed multipart upload instead of leaving parts behind.
  's3:AbortMultipartUpload',
  // ListMultipartUploadParts: ListParts, used by s3fs when resuming or completing a multipart upload.
  's3:ListMultipartUploadParts',
] as const;

/**
 * Actions on the bucket itself, granted on `arn:aws:s3:::<bucket>` only and deliberately WITHOUT an
 * `s3:prefix` condition:
 * - s3fs `mkdir(create_parents=True)` checks the bucket exists with ListObjectsV2 (no prefix,
 *   MaxKeys=1), then GetBucketLocation; if both are denied it calls CreateBucket -> AccessDenied.
 * - S3 answers 404 (not 403) for a missing key only to callers allowed s3:ListBucket for that
 *   request, and a HeadObject carries no `s3:prefix`; s3fs raises a 403 as PermissionError.
 */
export const BUCKET_ACTIONS = [
  // ListBucket: ListObjectsV2 (bucket existence check, `exists()` directory probe `Prefix=<key>/`),
  // and the right to get 404 instead of 403 on HeadObject/GetObject of a missing key.
  's3:ListBucket',
  // GetBucketLocation: s3fs's bucket existence check and region discovery.
  's3:GetBucketLocation',
] as const;

/** Actions on the customer-managed KMS key, only when the bucket is encrypted with it. */
export const KMS_ACTIONS = [
  // Encrypt: SSE-KMS on PutObject / UploadPart (S3 calls KMS on the caller's behalf).
  'kms:Encrypt',
  // Decrypt: SSE-KMS on GetObject, and on CompleteMultipartUpload / UploadPart of multipart uploads.
  'kms:Decrypt',
  // GenerateDataKey: the data key S3 requests for each new object (PutObject, CreateMultipartUpload).
  'kms:GenerateDataKey',
] as const;

/**
 * The action lists as static members, for languages that reach the constructs through jsii (Python,
 * Java, ...): jsii carries no module-level constants. Each call returns a fresh copy.
 */
export class XcomPermissions {
  /** Actions on objects, granted on `arn:aws:s3:::<bucket>/<prefix>/*` only. */
  public static get objectActions(): string[] {
    return [...OBJECT_ACTIONS];
  }

  /** Actions on the bucket itself, granted on `arn:aws:s3:::<bucket>` only, without `s3:prefix` condition. */
  public static get bucketActions(): string[] {
    return [...BUCKET_ACTIONS];
  }

  /** Actions on the customer-managed KMS key, only when the bucket is encrypted with it. */
  public static get kmsActions(): string[] {
    return [...KMS_ACTIONS];
  }

  private constructor() {}
}
