// Test helper (test/apps/synth.integration.test.ts): put in front of cdk.json's app command, it writes
// the CDK context the CDK CLI passes to the app (CDK_CONTEXT_JSON) to $RECORD_CDK_CONTEXT_TO, then
// runs the app unchanged and exits with its code.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

fs.writeFileSync(process.env.RECORD_CDK_CONTEXT_TO, process.env.CDK_CONTEXT_JSON ?? '{}');
const [command, ...args] = process.argv.slice(2);
const result = spawnSync(command, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
