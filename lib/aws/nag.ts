import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag NIST 800-53 rev 5 rule on this construct only, with the reason, so users who
 * run the pack on their own app inherit the reason instead of a finding.
 */
export function acknowledgeNist(construct: IConstruct, rule: string, reason: string): void {
  Validations.of(construct).acknowledge({ id: `NIST.800.53.R5::NIST.800.53.R5-${rule}`, reason });
}
