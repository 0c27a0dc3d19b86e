/**
 * The Airflow binding as a Terraform output. The value is `JSON.stringify` over an object whose
 * deploy-time fields are CDKTF tokens: synthesis turns each token into a `${resource.attr}`
 * interpolation inside the string, Terraform fills them in at apply, and the result is the binding JSON.
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { AirflowBinding, BINDING_OUTPUT_TF } from '../binding';

/** `${...}` interpolations of a synthesized string (no nesting: CDKTF emits flat references). */
export const TF_INTERPOLATION = /\$\{[^}]*\}/g;

export function addBindingOutput(scope: Construct, binding: AirflowBinding): TerraformOutput {
  return new TerraformOutput(scope, BINDING_OUTPUT_TF, {
    value: JSON.stringify(binding),
    description: 'Airflow binding (JSON): everything `xcomkit` needs to configure Airflow for this environment',
  });
}

/**
 * Replaces every interpolation of a synthesized output value with `replace(reference)`, e.g. to
 * check that the string is valid JSON before anything is deployed.
 */
export function substituteInterpolations(value: string, replace: (reference: string) => string): string {
  return value.replace(TF_INTERPOLATION, (match) => replace(match.slice(2, -1)));
}
