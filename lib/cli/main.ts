/**
 * `xcomkit`: from the Airflow binding (deploy outputs or a synth) to Airflow configuration.
 * `run(argv, io)` is the whole command with injectable streams; `main()` wires it to the process.
 */
import { Command, CommanderError, Option } from 'commander';
import { AirflowBinding } from '../binding';
import { AirflowSettingsError } from '../airflow/errors';
import { FORMAT_NAMES, formatByName, RenderOptions } from '../airflow/formats';
import { renderRequirements } from '../airflow/requirements';
import { connectionFromSecret } from '../airflow/secret-connection';
import { Backend, BACKENDS, buildSettings } from '../airflow/settings';
import { SECRET_MODES } from '../airflow/validate';
import { hasPlaceholder } from '../airflow/placeholder';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { FoundBinding, findCandidates, matchesSelection, parseSelector, selectBinding } from './input';
import { Io, style, Style } from './io';
import { SecretAccessError } from './secrets/types';
import { describeBindings } from './show';
import { writeFileSafely } from './write';
import { registerDoctorCommand } from './doctor-command';
import { registerLocalCommand } from './local-command';
import { registerCostCommand } from './cost-command';
import { localNote } from './local-note';

interface GlobalOptions {
  quiet?: boolean;
  color: boolean;
}

interface SelectOptions {
  cloud?: string;
  env?: string;
  backend: Backend;
  mirror: string[];
}

interface EnvOptions extends SelectOptions {
  format: string;
  resolveSecrets?: boolean;
  showSecrets?: boolean;
  output?: string;
  secretOutput?: string;
  force?: boolean;
  name?: string;
  namespace?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXAMPLES = {
  env: `
Examples:
  # AWS, after \`cdk deploy --outputs-file outputs.json\`: .env for Astro / docker compose
  $ xcomkit env outputs.json --cloud aws --env prod > .env
  # GCP / Azure from \`terraform output -json\` (or \`cdktf deploy --outputs-file\`)
  $ terraform output -json > tf.json && xcomkit env tf.json --format shell
  # before deploying: from the synth, deploy-time values become <deploy-time:...> placeholders
  $ xcomkit env cdk.out --env dev --format k8s
  # Helm values; user/key credentials resolved into a Kubernetes Secret manifest (mode 0600)
  $ xcomkit env outputs.json --format helm --resolve-secrets -o values.yaml --secret-output xcom-secret.yaml
  # MWAA configuration options
  $ xcomkit env outputs.json --format mwaa -o mwaa-options.json
  # S3 primary with a GCS mirror (runtime backend only)
  $ xcomkit env outputs.json --backend xcomkit --mirror tf.json#gcp/prod --format json
`,
  requirements: `
Examples:
  $ xcomkit requirements outputs.json >> requirements.txt
  $ xcomkit requirements outputs.json --backend xcomkit --mirror tf.json#gcp/prod
`,
  show: `
Examples:
  $ xcomkit show outputs.json
  $ xcomkit show cdk.out --env dev
  $ xcomkit show cdktf.out --cloud azure
`,
};

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const stderrTTY = io.stderr.isTTY === true;
  let err: Style = style(io.stderr, io.env, true);
  let quiet = false;
  let exitCode: number = EXIT_OK;
  const warn = (message: string) => {
    if (!quiet) io.stderr.write(`${err.yellow('warning:')} ${message}\n`);
  };
  const note = (message: string) => {
    if (!quiet) io.stderr.write(`${err.dim('note:')} ${message}\n`);
  };

  const program = new Command('xcomkit');
  program
    .description('Airflow settings for XCom object storage, from the binding the kit\'s stacks output (AWS, GCP, Azure).')
    .option('-q, --quiet', 'print only errors on stderr')
    .option('--no-color', 'no colour (also off when NO_COLOR is set or stderr is not a terminal)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(err.red(s)),
    })
    .showHelpAfterError('(add --help for usage and examples)')
    .hook('preAction', (cmd) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      quiet = g.quiet === true;
      err = style(io.stderr, io.env, g.color !== false && stderrTTY);
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure (invalid binding, refused output, secret not readable), 2 usage.
Run "xcomkit <command> --help" for the options and examples of each command.`,
    );

  const selectOptions = (cmd: Command) =>
    cmd
      .option('--cloud <cloud>', 'pick the binding of this cloud (aws, gcp, azure) when the source has several')
      .option('--env <name>', 'pick the binding of this environment when the source has several')
      .addOption(new Option('--backend <backend>', 'XCom backend: stock (common.io XComObjectStorageBackend) or xcomkit (airflow_xcomkit runtime backend)').choices(BACKENDS).default('stock'))
      .option('--mirror <source[#cloud/env]>', 'add a mirror location from another binding (repeatable; needs --backend xcomkit)', collect, [] as string[]);

  const loadPrimary = (source: string, o: SelectOptions): FoundBinding => selectBinding(findCandidates(source), { cloud: o.cloud, env: o.env });
  const loadMirrors = (o: SelectOptions): FoundBinding[] => {
    if (o.mirror.length > 0 && o.backend !== 'xcomkit') {
      throw new UsageError('--mirror needs the runtime backend: add --backend xcomkit (the stock backend writes to one location only)');
    }
    return o.mirror.map((sel) => {
      const { source, selection } = parseSelector(sel);
      return selectBinding(findCandidates(source), selection, `mirror binding in ${source}`);
    });
  };
  const warnSynth = (found: FoundBinding[]) => {
    for (const f of found) if (f.synthesized) warn(`${f.origin} is a synth output: deploy-time values are <deploy-time:...> placeholders`);
  };

  selectOptions(
    program
      .command('env')
      .description('print or write the Airflow settings (XCom backend, connection, secrets backend) in a format')
      .argument('<source>', 'deploy outputs JSON, terraform output -json, a synth directory (cdk.out, cdktf.out) or template, or a binding JSON file'),
  )
    .addOption(new Option('-f, --format <format>', 'output format (listed below)').choices(FORMAT_NAMES).default('dotenv'))
    .option('--resolve-secrets', 'read user/key credentials from the secret store (official SDKs, default credentials) into the connection')
    .option('--show-secrets', 'allow resolved secrets on stdout (otherwise they go only to --output files)')
    .option('-o, --output <file>', 'write to this file (mode 0600, atomically) instead of stdout')
    .option('--secret-output <file>', 'helm: write the Kubernetes Secret manifest with resolved credentials here')
    .option('--force', 'replace existing output files')
    .option('--name <name>', 'k8s/helm: base name of the ConfigMap and Secret', 'airflow-xcoms')
    .option('--namespace <namespace>', 'k8s/helm: namespace of the ConfigMap and Secret')
    .addHelpText('after', `\nFormats:\n${FORMAT_NAMES.map((n) => `  ${n.padEnd(8)}${formatByName(n)!.summary}`).join('\n')}\n${EXAMPLES.env}`)
    .action(async (source: string, o: EnvOptions) => {
      const format = formatByName(o.format)!;
      if (o.secretOutput && o.format !== 'helm') throw new UsageError('--secret-output is for --format helm (k8s puts the Secret in the same file)');
      if (o.resolveSecrets && o.format === 'mwaa') {
        throw new UsageError('MWAA configuration options are not secret: drop --resolve-secrets (MWAA reads the connection from Secrets Manager)');
      }
      const primary = loadPrimary(source, o);
      const mirrors = loadMirrors(o);
      const all = [primary, ...mirrors];
      warnSynth(all);

      const secretBindings = all.map((f) => f.binding).filter((b) => SECRET_MODES.includes(b.identity.mode));
      const resolved: Record<string, string> = {};
      if (o.resolveSecrets) {
        if (secretBindings.length === 0) {
          warn('--resolve-secrets: no binding keeps its credential in a secret (role / workload identity need none)');
        } else {
          if (o.format === 'helm' && !o.secretOutput) {
            throw new UsageError('--format helm with --resolve-secrets needs --secret-output <file> for the Kubernetes Secret (the values only reference it)');
          }
          if (o.format !== 'helm' && !o.output && !o.showSecrets) {
            throw new UsageError('resolved secrets are not printed: add --output <file> (written with mode 0600), or --show-secrets to print them anyway');
          }
          for (const b of secretBindings) resolved[b.connection.id] = await resolveSecret(b, io);
        }
      }

      const built = buildSettings(primary.binding, { backend: o.backend, mirrors: mirrors.map((m) => m.binding), resolvedConnections: resolved });
      const local = localNote(all.map((f) => f.binding));
      const settings = local ? { ...built, notes: [...built.notes, local] } : built;
      const renderOptions: RenderOptions = { name: o.name, namespace: o.namespace };
      const rendered = format.render(settings, renderOptions);
      if ((rendered.mainHasSecrets || all.some((f) => f.sensitive)) && !o.output && !o.showSecrets) {
        throw new UsageError('the output holds credentials or values marked sensitive: add --output <file>, or --show-secrets to print it');
      }
      if (settings.placeholders.length > 0) {
        warn(`not deployable yet: ${settings.placeholders.length} deploy-time placeholder(s) (${settings.placeholders.join(', ')}); deploy the stack, then run xcomkit on its outputs`);
      }
      for (const n of [...settings.notes, ...rendered.notes]) note(n);
      if (rendered.secretManifest && !o.secretOutput) {
        throw new UsageError('the Helm values reference a Kubernetes Secret with credentials: add --secret-output <file> for its manifest');
      }
      if (o.secretOutput && !rendered.secretManifest) {
        warn(`--secret-output ${o.secretOutput}: no credentials to put in a Secret, so no file was written (role and workload identities need none)`);
      }
      if (rendered.secretManifest && o.secretOutput) {
        writeFileSafely(o.secretOutput, rendered.secretManifest, { force: o.force });
        if (!quiet) io.stderr.write(`wrote ${o.secretOutput} (mode 0600; holds credentials, keep it out of git)\n`);
      }
      if (o.output) {
        writeFileSafely(o.output, rendered.main, { force: o.force });
        if (!quiet) io.stderr.write(`wrote ${o.output} (mode 0600)\n`);
      } else {
        io.stdout.write(rendered.main);
      }
    });

  selectOptions(
    program
      .command('requirements')
      .description('print the Python packages the Airflow deployment needs (a requirements.txt fragment)')
      .argument('<source>', 'deploy outputs JSON, a synth directory or template, or a binding JSON file'),
  )
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--force', 'replace an existing output file')
    .addHelpText('after', EXAMPLES.requirements)
    .action((source: string, o: SelectOptions & { output?: string; force?: boolean }) => {
      const primary = loadPrimary(source, o);
      const mirrors = loadMirrors(o);
      const text = renderRequirements([primary, ...mirrors].map((f) => f.binding), o.backend);
      if (o.output) writeFileSafely(o.output, text, { force: o.force });
      else io.stdout.write(text);
    });

  program
    .command('show')
    .description('summarize the bindings in a source (all of them, or those matching --cloud / --env)')
    .argument('<source>', 'deploy outputs JSON, a synth directory or template, or a binding JSON file')
    .option('--cloud <cloud>', 'only bindings of this cloud')
    .option('--env <name>', 'only bindings of this environment')
    .addHelpText('after', EXAMPLES.show)
    .action((source: string, o: { cloud?: string; env?: string }) => {
      const candidates = findCandidates(source).filter((c) => matchesSelection(c, o));
      if (candidates.length === 0) throw new UsageError(`no binding in ${source} matches${o.cloud ? ` --cloud ${o.cloud}` : ''}${o.env ? ` --env ${o.env}` : ''}`);
      const found = candidates.map((c) => selectBinding([c], {}));
      io.stdout.write(describeBindings(found, style(io.stdout, io.env, (program.opts() as GlobalOptions).color !== false)));
    });

  const context = {
    io,
    color: () => (program.opts() as GlobalOptions).color !== false,
    setExitCode: (code: number) => {
      exitCode = code;
    },
  };
  registerLocalCommand(program, context);
  registerDoctorCommand(program, context);
  registerCostCommand(program, context);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const message = e instanceof CliError || e instanceof AirflowSettingsError ? e.message : `unexpected error: ${(e as Error)?.stack ?? String(e)}`;
    io.stderr.write(`${err.red('error:')} ${message}\n`);
    return e instanceof CliError ? e.exitCode : EXIT_FAILURE;
  }
}

async function resolveSecret(b: AirflowBinding, io: Io): Promise<string> {
  const ref = b.identity.secret!;
  if (hasPlaceholder(JSON.stringify(ref))) {
    throw new CliError(`cannot resolve the secret of ${b.cloud}/${b.environment}: its location is only known after deployment; deploy, then run xcomkit on the deploy outputs`);
  }
  // require(), not import(): the launcher hooks CommonJS only, and the SDKs load only on this path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = io.resolverFactory ?? (require('./secrets') as typeof import('./secrets')).defaultResolverFactory;
  let text: string;
  try {
    const resolver = await factory(ref.store, io.env);
    text = await resolver.resolve(ref);
  } catch (e) {
    // One line, no stack: the SDKs' errors are reduced to their first line with a login hint.
    const first = ((e as Error)?.message ?? String(e)).split('\n')[0];
    const hinted = e instanceof SecretAccessError ? first : `${first}; check that your credentials can read it`;
    throw new CliError(
      `could not read ${ref.store} secret "${ref.name}" (${ref.id}): ${hinted}; or drop --resolve-secrets to let Airflow's secrets backend read it at run time`,
    );
  }
  try {
    return connectionFromSecret(text, b);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Process entry: real streams, real exit code. */
export async function main(): Promise<void> {
  // `xcomkit ... | head`: a closed pipe is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  // An SDK promise rejected after its call was already answered: one line, never a stack trace.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`error: ${((reason as Error)?.message ?? String(reason)).split('\n')[0]}\n`);
    process.exit(EXIT_FAILURE);
  });
  const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
  process.exitCode = code;
}
