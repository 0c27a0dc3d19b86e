import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import type { Construct } from 'constructs';
import { CONDITION_VERSION, prefixCondition } from './abac';
import { BLOB_DATA_ACTIONS, CONTAINER_ACTIONS, xcomRoleName } from './permissions';

export interface BlobXcomGrantsProps {
  /** Resource id of the resource group: scope of the custom role definition. */
  readonly resourceGroupId: string;
  /** Resource id of the container: scope of every assignment. */
  readonly containerId: string;
  readonly storageAccountName: string;
  readonly containerName: string;
  /** Key prefix without slashes at either end; empty for a dedicated container (no condition then). */
  readonly prefix: string;
}

/**
 * The least-privilege access adlfs needs, as resources in `scope`: a custom role holding exactly what
 * adlfs calls (`./permissions`), and assignments of it on the container with an ABAC condition
 * limiting blob paths and listings to the prefix. A helper, not a construct: the resources keep the
 * ids (and so the Terraform addresses) they have always had in the scope that owns them.
 */
export class BlobXcomGrants {
  public readonly roleDefinition: RoleDefinition;

  constructor(
    private readonly scope: Construct,
    private readonly props: BlobXcomGrantsProps,
  ) {
    // Custom roles are defined at management-group, subscription or resource-group scope: the
    // resource group is the narrowest, and the assignments narrow the role to the container.
    this.roleDefinition = new RoleDefinition(scope, 'blob-role', {
      name: xcomRoleName(props.storageAccountName, props.containerName),
      scope: props.resourceGroupId,
      assignableScopes: [props.resourceGroupId],
      description: `Airflow XComs (airflow-xcom-kit): read the container's properties; read, list, write and delete its blobs. No container changes, no delegation keys.`,
      permissions: [{ actions: [...CONTAINER_ACTIONS], dataActions: [...BLOB_DATA_ACTIONS], notActions: [], notDataActions: [] }],
    });
  }

  /**
   * Assigns the role to an Entra principal (object id) on the container. `principalType` is known for
   * identities the stack creates ('ServicePrincipal'); for existing principals it is left to Azure.
   * `suffix` tells the assignments of several principals apart ('' keeps the historic id).
   */
  public grant(principalId: string, options: { readonly suffix?: string; readonly principalType?: string } = {}): RoleAssignment {
    const { prefix, containerName } = this.props;
    return new RoleAssignment(this.scope, `blob-data${options.suffix ?? ''}`, {
      scope: this.props.containerId,
      roleDefinitionId: this.roleDefinition.roleDefinitionResourceId,
      principalId,
      principalType: options.principalType,
      description: prefix === '' ? 'Airflow XComs: blob data in the dedicated container' : `Airflow XComs: blob data under ${containerName}/${prefix}/ only (ABAC condition)`,
      ...(prefix === '' ? {} : { condition: prefixCondition(prefix), conditionVersion: CONDITION_VERSION }),
    });
  }
}

/** Entra object ids: UUIDs (the rule lives with the config's in lib/rules.ts). */
export { ENTRA_OBJECT_ID } from '../rules';
