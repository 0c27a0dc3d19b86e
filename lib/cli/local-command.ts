/** Registers `xcomkit local up|down|status` on the program (main.ts only wires it in). */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { Io } from './io';
import { DEFAULT_STATE_DIR, localPython, runLocal } from './local';

export interface CommandContext {
  readonly io: Io;
  readonly color: () => boolean;
  readonly setExitCode: (code: number) => void;
}

const EXAMPLES_LOCAL = `
Examples:
  $ npm run synth                                              # synthesize first (cdk.out, cdktf.out)
  $ xcomkit local up --env dev                                 # moto, GCS emulator, Azurite; deploy dev
  $ xcomkit env .xcomkit/local/dev/aws-outputs.json            # the ordinary env command, real values
  $ xcomkit local status
  $ xcomkit local down
`;

export function registerLocalCommand(program: Command, ctx: CommandContext): void {
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
}
