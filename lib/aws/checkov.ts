import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/**
 * Records a checkov skip in the resource's CloudFormation metadata (`Metadata.checkov.skip`), the
 * resource-scoped form checkov reads from templates: like a cdk-nag acknowledgement, it covers this
 * one resource and states why. `construct` is an L2 construct (its default child is used) or an L1.
 */
export function skipCheckov(construct: IConstruct, id: string, comment: string): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`skipCheckov(${id}): ${construct.node.path} has no CloudFormation resource`);
  }
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, { id, comment }] });
}
