// Test helper (test/apps/synth.integration.test.ts): synthesizes a one-resource app whose template the
// CloudFormation validator objects to, into argv[2], validated by aws-cdk-lib's built-in plugin in this
// thread (argv[3] = "builtin") or by the fast synth's worker (argv[3] = "worker", from dist/).
const [outdir, mode] = process.argv.slice(2);
const validation = mode === 'worker' ? require('../../dist/lib/apps/cfn-validation').startCfnValidation() : undefined;
const { App, CfnResource, Stack } = require('aws-cdk-lib');

if (validation && !validation.install()) {
  process.stderr.write('the worker plugin could not replace the default CloudFormationValidatePlugin\n');
  process.exit(3);
}
const app = new App({ outdir });
const stack = new Stack(app, 'Fixture', { env: { region: 'eu-west-1' } });
new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket', properties: { NoSuchProperty: true, VersioningConfiguration: { Status: 'Sometimes' } } });
app.synth();
void validation?.stop();
