/**
 * The CDK context the CDK CLI gives the app (`cdk synth` runs bin/aws.ts with it in CDK_CONTEXT_JSON),
 * computed the same way without the CLI, so that an in-process synth (bin/synth.ts) builds exactly
 * what `cdk synth` builds: cdk.context.json under the project's cdk.json `context` under `-c` values
 * (the CLI's precedence), then what the CLI derives from its settings (aws-cdk 2.1148, toolkit-lib
 * `contextFromSettings`).
 *
 * Not read, as the CLI would: the user's ~/.cdk.json (a per-machine file would make the synth depend
 * on who runs it) and command-line settings such as `--no-version-reporting`; cdk.json settings of
 * the same names are honoured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type CdkContext = Record<string, unknown>;

/** The cdk.json settings that change the context the CLI passes (the CLI's defaults when absent). */
interface CdkSettings {
  readonly context?: CdkContext;
  readonly pathMetadata?: boolean;
  readonly assetMetadata?: boolean;
  readonly versionReporting?: boolean;
  readonly staging?: boolean;
  readonly bundlingStacks?: string[];
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * The context `cdk synth` passes to the app run from `projectDir` (where cdk.json is), with `extra`
 * standing for `-c key=value` arguments.
 */
export function cdkCliContext(projectDir: string, extra: CdkContext = {}): CdkContext {
  const settings = readJson(path.join(projectDir, 'cdk.json')) as CdkSettings;
  const contextFile = path.join(projectDir, 'cdk.context.json');
  const cached = fs.existsSync(contextFile) ? (readJson(contextFile) as CdkContext) : {};
  const context: CdkContext = { ...cached, ...settings.context, ...extra };
  if (settings.pathMetadata ?? true) context['aws:cdk:enable-path-metadata'] = true;
  if (settings.assetMetadata ?? true) context['aws:cdk:enable-asset-metadata'] = true;
  if (settings.versionReporting ?? true) context['aws:cdk:version-reporting'] = true;
  else context['aws:cdk:disable-version-reporting'] = true;
  if (!(settings.staging ?? true)) context['aws:cdk:disable-asset-staging'] = true;
  context['aws:cdk:bundling-stacks'] = settings.bundlingStacks ?? ['**'];
  // The CLI reads validation-report.json itself and fails the command; without it the app must.
  context[FAIL_SYNTH_ON_VALIDATION_ERRORS] = false;
  return context;
}

/** Context key: whether the app (true, the default) or the CLI (false) fails on validation errors. */
export const FAIL_SYNTH_ON_VALIDATION_ERRORS = '@aws-cdk/core:failSynthOnValidationErrors';
