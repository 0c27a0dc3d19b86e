/**
 * What a Kubernetes workload needs to act as the binding's identity without a stored credential:
 * annotations on the service accounts that run Airflow tasks and, on AKS, a label on their pods.
 * Without them the ConfigMap looks complete but the pods cannot authenticate.
 * - EKS (IRSA): `eks.amazonaws.com/role-arn` on the service account.
 * - GKE Workload Identity: `iam.gke.io/gcp-service-account` on the service account.
 * - AKS workload identity: `azure.workload.identity/client-id` (and `tenant-id`) on the service
 *   account, and the pod label `azure.workload.identity/use: "true"` (the webhook injects the token
 *   only into labelled pods).
 */
import { AirflowBinding } from '../binding';
import { findPlaceholders } from './placeholder';

export interface KubernetesServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface KubernetesIdentity {
  readonly serviceAccounts: readonly KubernetesServiceAccount[];
  /** Labels the task pods must carry. */
  readonly podLabels: Readonly<Record<string, string>>;
}

function annotationsFor(b: AirflowBinding): Record<string, string> | undefined {
  const id = b.identity;
  if (b.cloud === 'aws' && id.mode === 'role' && id.roleArn) return { 'eks.amazonaws.com/role-arn': id.roleArn };
  if (b.cloud === 'gcp' && id.mode === 'workload-identity') return { 'iam.gke.io/gcp-service-account': id.principal };
  if (b.cloud === 'azure' && id.mode === 'workload-identity') {
    return { 'azure.workload.identity/client-id': id.principal, ...(id.tenantId ? { 'azure.workload.identity/tenant-id': id.tenantId } : {}) };
  }
  return undefined;
}

/** A note for the formats when an annotation holds a deploy-time placeholder (a synth, not deploy outputs). */
export function identityPlaceholderNotes(identity: KubernetesIdentity): string[] {
  const found = [...new Set(identity.serviceAccounts.flatMap((sa) => Object.values(sa.annotations).flatMap(findPlaceholders)))];
  return found.length > 0 ? [`not deployable yet: the service-account annotation holds ${found.join(', ')}; deploy the stack, then run xcomkit on its outputs`] : [];
}

/** The service accounts and pod labels of every binding that names Kubernetes service accounts. */
export function kubernetesIdentity(bindings: readonly AirflowBinding[]): KubernetesIdentity {
  const accounts = new Map<string, { namespace: string; name: string; annotations: Record<string, string> }>();
  const podLabels: Record<string, string> = {};
  for (const b of bindings) {
    const annotations = annotationsFor(b);
    if (!annotations) continue;
    if (b.cloud === 'azure') podLabels['azure.workload.identity/use'] = 'true';
    for (const sa of b.identity.kubernetesServiceAccounts ?? []) {
      const key = `${sa.namespace}/${sa.serviceAccount}`;
      const entry = accounts.get(key) ?? { namespace: sa.namespace, name: sa.serviceAccount, annotations: {} };
      Object.assign(entry.annotations, annotations);
      accounts.set(key, entry);
    }
  }
  return { serviceAccounts: [...accounts.values()], podLabels };
}
