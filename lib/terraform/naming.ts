/** Names shared by the GCP and Azure stacks. */
import type { Cloud } from '../binding';

/** Stack (and state) name of one cloud in one environment: `gcp-prod`, `azure-dev`. */
export function stackName(cloud: Exclude<Cloud, 'aws'>, environment: string): string {
  return `${cloud}-${environment}`;
}

