/**
 * Registers `xcomkit local up|down|status` and `xcomkit doctor` on the program (kept out of main.ts,
 * which only wires them in).
 */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { BACKENDS, Backend } from '../airflow/settings';
import { liveChecks, readSource, renderTable, staticChecks, summarize } from './doctor';
import { Check } from './doctor/types';
import { Io, style } from './io';
import { DEFAULT_STATE_DIR, localPython, runLocal } from './local';

/** `doctor`: every check passed. */
export const DOCTOR_OK = 0;
/** `doctor`: at least one check failed. */
export const DOCTOR_FAILED = 1;
/** `doctor`: nothing failed, but some checks could not be made here (not enforced, no --python). */
export const DOCTOR_INCOMPLETE = 3;

export interface CommandContext {
  readonly io: Io;
  readonly color: () => boolean;
  readonly setExitCode: (code: number) => void;
}

const EXAMPLES_LOCAL = `
Examples:
  $ npx cdk synth -o cdk.out && npx tsx bin/terraform.ts      # synthesize first
  $ xcomkit local up --env dev                                 # moto, GCS emulator, Azurite; deploy dev
  $ xcomkit env .xcomkit/local/dev/aws-outputs.json            # the ordinary env command, real values
  $ xcomkit local status
  $ xcomkit local down
`;

const EXAMPLES_DOCTOR = `
Examples:
  $ xcomkit doctor airflow.env --python .venv/bin/python                # a .env file
  $ xcomkit doctor cdk-outputs.json --env prod --python /opt/airflow/bin/python
  $ xcomkit doctor --python "$(which python)"                            # the current environment
  $ xcomkit doctor airflow.env --json

Exit codes: 0 every check passed, 1 a check failed, 3 nothing failed but some checks could not
be made (not enforced by a local server, or no --python), 2 usage.
`;

export function registerLocalCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const local = program.command('local').description('a local cloud: the synthesized stacks deployed into moto, a GCS emulator and Azurite').addHelpText('after', EXAMPLES_LOCAL);
  const common = (cmd: Command) =>
    cmd
      .option('--state-dir <dir>', 'where ports, PIDs and deploy outputs are kept (git-ignored)', DEFAULT_STATE_DIR)
      .option('--python <path>', 'interpreter with moto and the GCS emulator (default: XCOMKIT_PYTHON, then .venv/bin/python)')
      .option('--json', 'print the state as JSON');
  const forward = (args: string[], o: { stateDir: string; python?: string; json?: boolean }) => {
    const r = runLocal(['--state-dir', path.resolve(o.stateDir), ...(o.json ? ['--json'] : []), ...args], localPython(o.python, io.env), io.env);
    io.stdout.write(r.stdout);
    io.stderr.write(r.stderr);
    ctx.setExitCode(r.status);
  };
  common(
    local
      .command('up')
      .description('start the servers on free loopback ports and deploy the environment\'s synthesized stacks into them')
      .option('--env <name>', 'environment to deploy', 'dev')
      .option('--cdk-out <dir>', 'CDK synth output', 'cdk.out')
      .option('--cdktf-out <dir>', 'CDKTF synth output', 'cdktf.out')
      .addOption(new Option('--cloud <cloud...>', 'only these clouds (default: every cloud the environment has)').choices(['aws', 'gcp', 'azure'])),
  ).action((o: { env: string; cdkOut: string; cdktfOut: string; cloud?: string[]; stateDir: string; python?: string; json?: boolean }) => {
    forward(['up', '--env', o.env, '--cdk-out', path.resolve(o.cdkOut), '--cdktf-out', path.resolve(o.cdktfOut), ...(o.cloud ?? []).flatMap((c) => ['--cloud', c])], o);
  });
  common(local.command('down').description('stop the servers (by PID) and remove the state and outputs')).action((o) => forward(['down'], o));
  common(local.command('status').description('show the servers, what is deployed and what the servers cannot enforce')).action((o) => forward(['status'], o));

  program
    .command('doctor')
    .description('check Airflow\'s XCom settings: statically by Airflow\'s rules, then live with their credentials')
    .argument('[source]', 'a .env file or deploy outputs (cdk deploy --outputs-file, terraform output -json); default: the current environment')
    .option('--cloud <cloud>', 'deploy outputs: pick the binding of this cloud')
    .option('--env <name>', 'deploy outputs: pick the binding of this environment')
    .addOption(new Option('--backend <backend>', 'deploy outputs: the backend xcomkit env would configure').choices(BACKENDS).default('stock'))
    .option('--python <path>', 'the interpreter Airflow runs with: imports and live checks run in it')
    .option('--json', 'print the checks as JSON')
    .addHelpText('after', EXAMPLES_DOCTOR)
    .action((source: string | undefined, o: { cloud?: string; env?: string; backend: Backend; python?: string; json?: boolean }) => {
      const src = readSource(source, io.env, o);
      const { checks: statics, plan } = staticChecks(src.airflow);
      const blocking = ['path', 'connection', 'secrets-backend'];
      const blocked = statics.some((c) => blocking.includes(c.id) && c.status === 'fail');
      const checks: Check[] = [...statics, ...liveChecks(plan, { python: o.python, processEnv: io.env, airflow: src.airflow, blocked })];
      const sum = summarize(checks);
      if (o.json) {
        io.stdout.write(JSON.stringify({ source: src.description, ok: sum.fail === 0 && sum.notChecked === 0, summary: sum, checks }, null, 2) + '\n');
      } else {
        io.stdout.write(renderTable(src.description, checks, style(io.stdout, io.env, ctx.color())));
      }
      ctx.setExitCode(sum.fail > 0 ? DOCTOR_FAILED : sum.notChecked > 0 ? DOCTOR_INCOMPLETE : DOCTOR_OK);
    });
}
