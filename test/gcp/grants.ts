/**
 * The synthesized GCP grants, resolved into (scope, permissions), and GCS's scoping rules for them: a
 * bucket grant covers the bucket and all its objects and listings; a managed-folder grant covers
 * objects named `<folder>...` and object listings whose `prefix` starts with `<folder>`, and nothing at
 * bucket level. Shared by the grant evaluation (iam.test.ts) and the fake GCS server that enforces
 * them for the real gcsfs (gcsfs-roundtrip.integration.test.ts).
 */
import { resources } from '../terraform/fixtures';

export type Scope = { kind: 'bucket' } | { kind: 'managed-folder'; name: string };
export interface Grant {
  scope: Scope;
  member: string;
  permissions: string[];
}

/** Resolves the synthesized IAM members of the service account into (scope, permissions). */
export function grantsOf(json: any): Grant[] {
  const roles = new Map<string, string[]>();
  for (const [id, role] of resources(json, 'google_project_iam_custom_role')) roles.set(`\${google_project_iam_custom_role.${id}.name}`, role.permissions);
  const folders = new Map<string, string>();
  for (const [id, folder] of resources(json, 'google_storage_managed_folder')) folders.set(`\${google_storage_managed_folder.${id}.name}`, folder.name);
  const permissionsOf = (role: string) => {
    const permissions = roles.get(role);
    if (!permissions) throw new Error(`unexpected predefined role ${role}: the kit grants only its custom roles on storage`);
    return permissions;
  };
  const grants: Grant[] = [];
  for (const [, m] of resources(json, 'google_storage_bucket_iam_member')) grants.push({ scope: { kind: 'bucket' }, member: m.member, permissions: permissionsOf(m.role) });
  for (const [, m] of resources(json, 'google_storage_managed_folder_iam_member')) {
    const name = folders.get(m.managed_folder);
    if (!name) throw new Error(`managed folder ${m.managed_folder} not found`);
    grants.push({ scope: { kind: 'managed-folder', name }, member: m.member, permissions: permissionsOf(m.role) });
  }
  return grants;
}

export interface Request {
  /** The gcsfs call that makes it. */
  readonly call: string;
  readonly permission: string;
  /** Object name (object requests). */
  readonly object?: string;
  /** `prefix` of an object listing; null for a listing of the whole bucket. */
  readonly listPrefix?: string | null;
}

export function allowed(grants: Grant[], request: Request): boolean {
  return grants.some((g) => {
    if (!g.permissions.includes(request.permission)) return false;
    if (g.scope.kind === 'bucket') return true;
    const folder = g.scope.name;
    if (request.permission === 'storage.objects.list') return typeof request.listPrefix === 'string' && request.listPrefix.startsWith(folder);
    if (request.permission.startsWith('storage.objects.')) return request.object !== undefined && request.object.startsWith(folder);
    return false; // bucket-level permissions are never covered by a managed folder
  });
}

