/**
 * Finds Airflow bindings in what users have at hand: deploy outputs (CDK, CDKTF, `terraform output
 * -json`), synth outputs (CloudFormation templates, `cdk.tf.json`, or the cdk.out / cdktf.out
 * directories) and bare binding JSON files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AirflowBinding, BINDING_OUTPUT_CFN, BINDING_OUTPUT_TF } from '../binding';
import { AirflowSettingsError } from '../airflow/errors';
import { validateBinding } from '../airflow/validate';
import { CliError, UsageError } from './errors';
import { bindingTextFromCfnOutput, bindingTextFromTfOutput } from './synth';

/** Output names accepted for the binding (CDKTF's outputs file camel-cases Terraform output names). */
const OUTPUT_KEYS = [BINDING_OUTPUT_CFN, BINDING_OUTPUT_TF, 'airflowBinding'];

export interface Candidate {
  /** Where it was found, for messages: `cdk.out/Stack.template.json (output AirflowBinding)`. */
  readonly origin: string;
  /** The binding document, not yet validated. */
  readonly raw: unknown;
  /** From a synth: deploy-time values are placeholders. */
  readonly synthesized: boolean;
  /** The output is marked `sensitive` (Terraform): what is rendered from it is handled as a secret. */
  readonly sensitive?: boolean;
}

export interface FoundBinding {
  readonly origin: string;
  readonly binding: AirflowBinding;
  readonly synthesized: boolean;
  readonly sensitive: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseText(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${origin}: the binding is not valid JSON (${(e as Error).message})`);
  }
}

function isOutputKey(key: string): boolean {
  return OUTPUT_KEYS.includes(key) || key.startsWith(BINDING_OUTPUT_CFN);
}

/** Every binding in one parsed JSON document. */
export function candidatesInDocument(doc: unknown, file: string): Candidate[] {
  if (!isObject(doc)) return [];
  // A bare binding.
  if ('schemaVersion' in doc && 'cloud' in doc) return [{ origin: file, raw: doc, synthesized: false }];
  const out: Candidate[] = [];
  // A CloudFormation template (cdk.out/<Stack>.template.json).
  if (isObject(doc.Outputs) && (isObject(doc.Resources) || 'AWSTemplateFormatVersion' in doc)) {
    for (const [key, output] of Object.entries(doc.Outputs)) {
      if (!isOutputKey(key) || !isObject(output)) continue;
      const origin = `${file} (output ${key})`;
      const text = bindingTextFromCfnOutput(output.Value);
      out.push({ origin, raw: parseText(text, origin), synthesized: true });
    }
    return out;
  }
  // A CDKTF synth (cdktf.out/stacks/<stack>/cdk.tf.json).
  if (isObject(doc.output) && (isObject(doc.terraform) || isObject(doc.resource) || isObject(doc.provider))) {
    for (const [key, output] of Object.entries(doc.output)) {
      if (!isOutputKey(key) || !isObject(output)) continue;
      const origin = `${file} (output ${key})`;
      if (typeof output.value !== 'string') throw new CliError(`${origin}: expected the binding as a JSON string`);
      out.push({ origin, raw: parseText(bindingTextFromTfOutput(output.value), origin), synthesized: true, sensitive: output.sensitive === true });
    }
    return out;
  }
  for (const [key, value] of Object.entries(doc)) {
    // `terraform output -json`: { "airflow_binding": { "value": "...", "type": "string", "sensitive": false } }
    if (isOutputKey(key) && isObject(value) && 'value' in value) {
      const origin = `${file} (output ${key})`;
      out.push({ origin, raw: typeof value.value === 'string' ? parseText(value.value, origin) : value.value, synthesized: false, sensitive: value.sensitive === true });
      continue;
    }
    // `cdk deploy --outputs-file` / `cdktf deploy --outputs-file`: { "<stack>": { "AirflowBinding": "..." } }
    if (isObject(value)) {
      for (const [inner, text] of Object.entries(value)) {
        if (!isOutputKey(inner) || typeof text !== 'string') continue;
        const origin = `${file} (stack ${key}, output ${inner})`;
        out.push({ origin, raw: parseText(text, origin), synthesized: false });
      }
    }
  }
  return out;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new CliError(`${file} does not exist; pass a deploy outputs file, a synth directory (cdk.out, cdktf.out) or a binding JSON file`);
    throw new CliError(`cannot read ${file}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file} is not JSON (${(e as Error).message}); pass a deploy outputs file, a synth directory or a binding JSON file`);
  }
}

/** Synth files under a directory: `*.template.json` (CDK) and `cdk.tf.json` (CDKTF), nested assemblies included. */
function synthFiles(dir: string, depth = 0): string[] {
  if (depth > 5) return [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      files.push(...synthFiles(full, depth + 1));
    } else if (entry.name.endsWith('.template.json') || entry.name === 'cdk.tf.json') {
      files.push(full);
    }
  }
  return files;
}

/** Every binding candidate in a file or directory. */
export function findCandidates(source: string): Candidate[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new CliError(`${source} does not exist; pass a deploy outputs file, a synth directory (cdk.out, cdktf.out) or a binding JSON file`);
  }
  const files = stat.isDirectory() ? synthFiles(source) : [source];
  const found = files.flatMap((f) => candidatesInDocument(readJson(f), f));
  if (found.length === 0) {
    throw new CliError(
      `no Airflow binding in ${source}: expected an output named ${BINDING_OUTPUT_CFN} (CloudFormation) or ${BINDING_OUTPUT_TF} (Terraform)` +
        (stat.isDirectory() ? ' in a *.template.json or cdk.tf.json below it; run the synth first' : ''),
    );
  }
  return found;
}

export interface Selection {
  readonly cloud?: string;
  readonly env?: string;
}

const field = (raw: unknown, key: string) => (isObject(raw) && typeof raw[key] === 'string' ? (raw[key] as string) : '?');
const describe = (c: Candidate) => `  --cloud ${field(c.raw, 'cloud')} --env ${field(c.raw, 'environment')}    ${c.origin}`;

/** Whether a candidate is of the selected cloud and environment (an unset part matches all). */
export function matchesSelection(c: Candidate, selection: Selection): boolean {
  return (!selection.cloud || field(c.raw, 'cloud') === selection.cloud) && (!selection.env || field(c.raw, 'environment') === selection.env);
}

/** Picks one binding by cloud and environment, then validates it. */
export function selectBinding(candidates: readonly Candidate[], selection: Selection, what = 'binding'): FoundBinding {
  const matches = candidates.filter((c) => matchesSelection(c, selection));
  if (matches.length === 0) {
    const wanted = [selection.cloud && `cloud ${selection.cloud}`, selection.env && `environment ${selection.env}`].filter(Boolean).join(' and ');
    throw new UsageError(`no ${what} for ${wanted}; found:\n${candidates.map(describe).join('\n')}`);
  }
  if (matches.length > 1) {
    throw new UsageError(`${matches.length} ${what}s found; choose one with --cloud and --env:\n${matches.map(describe).join('\n')}`);
  }
  return validateCandidate(matches[0]);
}

export function validateCandidate(c: Candidate): FoundBinding {
  try {
    const binding = validateBinding(c.raw, `invalid Airflow binding in ${c.origin}`);
    return { origin: c.origin, binding, synthesized: c.synthesized || JSON.stringify(c.raw).includes('<deploy-time:'), sensitive: c.sensitive === true };
  } catch (e) {
    if (e instanceof AirflowSettingsError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * A mirror selector: `<source>[#<cloud>[/<env>]]` or `<source>#/<env>`, e.g. `cdktf.out#gcp/prod`
 * (the last `#` splits, so a file name may hold `#` when a selection follows).
 */
export function parseSelector(selector: string): { source: string; selection: Selection } {
  const hash = selector.lastIndexOf('#');
  if (hash < 0) return { source: selector, selection: {} };
  const source = selector.slice(0, hash);
  const [cloud, env] = selector.slice(hash + 1).split('/');
  if (!source) throw new UsageError(`--mirror "${selector}": the source before "#" is empty; write <file-or-dir>#<cloud>/<env>`);
  return { source, selection: { cloud: cloud || undefined, env: env || undefined } };
}
