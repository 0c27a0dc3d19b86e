/**
 * Terraform state backends, configured per environment. Every path written here is relative, so the
 * synthesized JSON is the same on every machine (cdktf's own default is an absolute path under the
 * working directory of whoever ran the synth).
 */
import { AzurermBackend, GcsBackend, LocalBackend, TerraformStack } from 'cdktf';

export type StateBackendSettings =
  | { readonly type: 'local'; readonly path?: string }
  | { readonly type: 'gcs'; readonly bucket: string; readonly prefix: string }
  | {
      readonly type: 'azurerm';
      readonly resourceGroupName: string;
      readonly storageAccountName: string;
      readonly containerName: string;
      readonly key: string;
      readonly useAzureadAuth: boolean;
    };

/**
 * Where the local state lands by default: the project root, seen from `cdktf.out/stacks/<stack>`
 * (Terraform runs in that directory). That is where cdktf itself keeps local state, minus the absolute path.
 */
export function defaultLocalStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/** Adds the configured backend to the stack. */
export function configureStateBackend(stack: TerraformStack, settings: StateBackendSettings): void {
  const stackName = stack.node.id;
  switch (settings.type) {
    case 'local':
      new LocalBackend(stack, { path: settings.path ?? defaultLocalStatePath(stackName) });
      return;
    case 'gcs':
      new GcsBackend(stack, { bucket: settings.bucket, prefix: `${settings.prefix.replace(/\/+$/, '')}/${stackName}` });
      return;
    case 'azurerm':
      new AzurermBackend(stack, {
        resourceGroupName: settings.resourceGroupName,
        storageAccountName: settings.storageAccountName,
        containerName: settings.containerName,
        key: settings.key,
        useAzureadAuth: settings.useAzureadAuth,
      });
      return;
  }
}
