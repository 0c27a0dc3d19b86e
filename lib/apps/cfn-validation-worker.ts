/**
 * Worker thread of {@link startCfnValidation} (./cfn-validation.ts): aws-cdk-lib's own
 * CloudFormationValidatePlugin, created and warmed up while the main thread builds the stacks, then
 * validating the templates the main thread sends it. Its answer is the plugin's report, unchanged.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { CloudFormationValidatePlugin, IPolicyValidationContext } from 'aws-cdk-lib';
import type { ValidationReply, ValidationRequest } from './cfn-validation';

/**
 * Resource types of the kit's AWS stacks. The plugin builds its engine for the resource types it is
 * given and keeps it for any subset: warming up with these makes the real call reuse the engine.
 * A type missing here costs time (the plugin builds a new engine), never a different result.
 */
const WARM_UP_TYPES = [
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::UserToGroupAddition',
  'AWS::IAM::AccessKey',
  'AWS::SecretsManager::Secret',
  'AWS::CDK::Metadata',
];

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

function answer(reply: ValidationReply): void {
  port.postMessage(reply);
  Atomics.store(signal, 0, reply.id);
  Atomics.notify(signal, 0);
}

let plugin: CloudFormationValidatePlugin | undefined;
let loadError: string | undefined;
try {
  const { CloudFormationValidatePlugin: Plugin } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  plugin = new Plugin();
  warmUp(plugin);
} catch (err) {
  loadError = err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** One validation of a throw-away template: loads the WebAssembly engine and builds it. */
function warmUp(p: CloudFormationValidatePlugin): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-cfn-validate-'));
  try {
    const templatePath = path.join(dir, 'warm-up.template.json');
    const Resources = Object.fromEntries(WARM_UP_TYPES.map((Type, i) => [`R${i}`, { Type, Properties: {} }]));
    fs.writeFileSync(templatePath, JSON.stringify({ Resources }));
    p.validate({ templatePaths: [templatePath], stackTemplates: [{ templatePath, stackConstructPath: 'WarmUp' }] } as unknown as IPolicyValidationContext);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

port.on('message', (request: ValidationRequest) => {
  if (!plugin) return answer({ id: request.id, error: `cannot load aws-cdk-lib's CloudFormationValidatePlugin: ${loadError}` });
  try {
    const report = plugin.validate(request.context as unknown as IPolicyValidationContext);
    answer({ id: request.id, report: JSON.parse(JSON.stringify(report)), version: plugin.version });
  } catch (err) {
    answer({ id: request.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
