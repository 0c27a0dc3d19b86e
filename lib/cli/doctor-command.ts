/** Registers `xcomkit doctor` on the program (main.ts only wires it in). */
import { Command, Option } from 'commander';
import { BACKENDS, Backend } from '../airflow/settings';
import { liveChecks, readSource, renderTable, staticChecks, summarize } from './doctor';
import { Check } from './doctor/types';
import { style } from './io';
import { CommandContext } from './local-command';

/** `doctor`: every check passed. */
export const DOCTOR_OK = 0;
/** `doctor`: at least one check failed. */
export const DOCTOR_FAILED = 1;
/** `doctor`: nothing failed, but some checks could not be made here (not enforced, no --python). */
export const DOCTOR_INCOMPLETE = 3;

const EXAMPLES_DOCTOR = `
Examples:
  $ xcomkit doctor airflow.env --python .venv/bin/python                # a .env file
  $ xcomkit doctor cdk-outputs.json --env prod --python /opt/airflow/bin/python
  $ xcomkit doctor --python "$(which python)"                            # the current environment
  $ xcomkit doctor airflow.env --json

Exit codes: 0 every check passed, 1 a check failed, 3 nothing failed but some checks could not
be made (not enforced by a local server, or no --python), 2 usage.
`;

export function registerDoctorCommand(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
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
