/** Test helpers: build stacks through the same factory bin/aws.ts uses, without template validation. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildAwsApp } from '../../lib/apps/aws-app';
import type { AirflowXcomsStack } from '../../lib/apps/aws-stack';
import { loadConfig, parseConfig, type KitConfig } from '../../lib/config';

export const SHIPPED_FILE = 'config/environments.yaml';
export const SHIPPED_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

let shipped: KitConfig | undefined;
export function shippedConfig(): KitConfig {
  shipped ??= loadConfig(SHIPPED_FILE);
  return shipped;
}

/** A fresh app with one stack for `environment` of `config` (cdk-nag on, template validation off). */
export function buildStack(config: KitConfig, environment: string): AirflowXcomsStack {
  const { stacks } = buildAwsApp(config, { environment, templateValidation: false });
  return stacks[environment];
}

export function shippedTemplate(environment: string): Template {
  return Template.fromStack(buildStack(shippedConfig(), environment));
}

/** One environment named `test` built from an `aws` section and optional shared settings. */
export function testConfig(aws: Record<string, unknown>, env: Record<string, unknown> = {}): KitConfig {
  return parseConfig({ environments: { test: { ...env, aws: { region: 'eu-west-1', ...aws } } } }, 'test.yaml');
}

export function templateFor(aws: Record<string, unknown>, env: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildStack(testConfig(aws, env), 'test'));
}

export const MWAA_ROLE = 'arn:aws:iam::123456789012:role/mwaa-execution-role';
export const OIDC_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
export const EKS_POD_ROLE = 'arn:aws:iam::123456789012:role/airflow-worker-pod-role';
export const OIDC_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

/** The single resource of `type` in the template (fails when there is not exactly one). */
export function onlyResource(template: Template, type: string): { logicalId: string; properties: Record<string, any> } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0];
  return { logicalId, properties: (resource as { Properties: Record<string, any> }).Properties };
}

const ROLE = { mode: 'role', trustedPrincipals: [MWAA_ROLE] };

/**
 * Identity, encryption and logging combinations beyond the shipped environments, as
 * `[name, aws section, environment settings]`: every identity mode (user, assumed role, IRSA) with
 * SSE-S3 and KMS (new and existing key), with and without access logs, and a dedicated bucket.
 */
export const STACK_VARIANTS: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['user, SSE-S3, access logs', { identity: { mode: 'user' }, accessLogs: true }, {}],
  ['user, KMS, no access logs', { identity: { mode: 'user' }, encryption: { type: 'kms' }, accessLogs: false }, {}],
  ['role (assumed, external id), KMS, access logs', { identity: { ...ROLE, externalId: 'xcom-external-id-1' }, encryption: { type: 'kms' } }, {}],
  ['role (IRSA only), SSE-S3, no access logs', { identity: { mode: 'role', eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'worker' }] }, accessLogs: false }, {}],
  ['role, existing KMS key', { identity: ROLE, encryption: { type: 'kms', existingKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555' } }, {}],
  ['role, dedicated bucket (no prefix)', { identity: ROLE }, { xcom: { prefix: '', dedicatedBucket: true } }],
  ['existing roles (MWAA execution role, EKS pod role), KMS', { identity: { mode: 'existing', roleArns: [MWAA_ROLE, EKS_POD_ROLE] }, encryption: { type: 'kms' } }, {}],
];
