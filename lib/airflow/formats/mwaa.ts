/**
 * Amazon MWAA "Airflow configuration options": a JSON map of `section.key` to string values, for
 * `aws mwaa create-environment|update-environment --airflow-configuration-options file://<file>`.
 *
 * MWAA takes config options, not environment variables, so connections cannot be passed here:
 * - an AWS connection without a stored credential (role mode) is left undefined on purpose: the
 *   amazon provider then falls back to the default credential chain, which on MWAA is the
 *   environment's execution role (grant it the stack's XCom permissions);
 * - a stored connection (user mode) is read through `secrets.backend` from AWS Secrets Manager;
 * - resolved secrets, workload identities of other clouds and non-AWS secret stores are refused.
 */
import { AirflowSettingsError } from '../errors';
import { AirflowSettings } from '../settings';
import { Format, Rendered } from './types';

export function renderMwaa(s: AirflowSettings): Rendered {
  const problems: string[] = [];
  const notes: string[] = [];
  const options: Record<string, string> = {};
  for (const x of s.settings) {
    if (x.kind === 'config') {
      options[`${x.section}.${x.key}`] = x.value;
      if (x.section === 'secrets' && x.key === 'backend' && !x.value.includes('.amazon.')) {
        problems.push(`MWAA can read stored connections only from AWS Secrets Manager, not through ${x.value}`);
      }
      continue;
    }
    if (x.kind === 'env') {
      problems.push(`${x.name} is a process environment variable (${x.reason}) and MWAA configuration options cannot set it`);
      continue;
    }
    if (x.secret) {
      problems.push(`connection "${x.connId}" holds a credential and MWAA configuration options are not secret; drop --resolve-secrets (the connection is then read from Secrets Manager)`);
    } else if (x.cloud !== 'aws') {
      problems.push(`connection "${x.connId}" (${x.cloud}) relies on a workload identity MWAA does not have; use a key-mode binding for that cloud`);
    } else {
      notes.push(
        `MWAA: connection "${x.connId}" is not set: the amazon provider falls back to the execution role; attach the stack's XCom permissions to the execution role` +
          (x.value.includes('"role_arn"') ? ', or let the execution role assume the role in the binding and define the connection in Secrets Manager' : ''),
      );
    }
  }
  if (s.settings.some((x) => x.kind === 'config' && x.section === 'secrets')) {
    notes.push('MWAA: the execution role needs secretsmanager:GetSecretValue on the connection secret');
  }
  if (problems.length > 0) throw new AirflowSettingsError('MWAA', problems);
  return { main: JSON.stringify(options, null, 2) + '\n', mainHasSecrets: false, notes };
}

export const mwaaFormat: Format = { name: 'mwaa', summary: 'Amazon MWAA Airflow configuration options (section.key JSON)', render: renderMwaa };
