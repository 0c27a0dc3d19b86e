/**
 * aws-cdk-lib's CloudFormation template validation, with its engine loaded in a worker thread.
 *
 * Building the validator's engine (a 9 MB WebAssembly module and the CloudFormation schemas) takes
 * longer than defining and synthesizing all the stacks. {@link startCfnValidation} starts it in a
 * worker of the same process at once. {@link CfnValidation.install} then makes aws-cdk-lib's default
 * instance of the plugin (the one every App with template validation on uses) a subclass that hands
 * the templates to the worker, where the built-in plugin itself validates them, and waits for the
 * report. Reports, their rules and their severities are therefore the built-in plugin's.
 *
 * Why the default instance and not `Validations.of(app).addPlugins(...)`: a plugin registered on the
 * App is listed in every stack's CDKMetadata (the `Analytics` string), which would make the templates
 * differ from the CDK CLI's. The default instance is aws-cdk-lib's internal singleton; if a future
 * aws-cdk-lib no longer has it, nothing is replaced and the built-in plugin validates in this thread
 * (slower, same result).
 */
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { CloudFormationValidatePlugin, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';

/** What the plugin reads of the validation context: the templates, on disk. */
export interface ValidationRequest {
  readonly id: number;
  readonly context: { readonly templatePaths: string[]; readonly stackTemplates: unknown[] };
}

export type ValidationReply =
  | { readonly id: number; readonly report: PolicyValidationPluginReport; readonly version?: string }
  | { readonly id: number; readonly error: string };

/** Longest wait for the worker's answer: only reached if the worker died without answering. */
const ANSWER_TIMEOUT_MS = 300_000;

export interface CfnValidation {
  /**
   * Makes aws-cdk-lib's default template-validation plugin validate in the worker (loads aws-cdk-lib).
   * Returns false when this aws-cdk-lib has no default instance to replace.
   */
  install(): boolean;
  /** Stops the worker; call it once the app is synthesized. */
  stop(): Promise<void>;
}

/**
 * Starts the validator's worker now, before aws-cdk-lib is loaded in this thread. The worker runs
 * compiled JavaScript (dist/lib/apps/cfn-validation-worker.js), so this is for the compiled
 * entry points, not for code run by tsx or jest.
 */
export function startCfnValidation(): CfnValidation {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(path.join(__dirname, 'cfn-validation-worker.js'), { workerData: { port: port2, signal }, transferList: [port2] });
  let installed: boolean | undefined;
  return {
    install() {
      installed ??= installAsDefault(workerPlugin(port1, signal));
      return installed;
    },
    async stop() {
      port1.close();
      await worker.terminate();
    },
  };
}

/** aws-cdk-lib 2.276: `CloudFormationValidatePlugin._singletonInstance()` returns `_instance`, creating it if unset. */
function installAsDefault(plugin: CloudFormationValidatePlugin): boolean {
  const { CloudFormationValidatePlugin: Plugin } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const statics = Plugin as unknown as { _instance?: unknown; _singletonInstance?: unknown };
  if (typeof statics._singletonInstance !== 'function' || !Object.prototype.hasOwnProperty.call(Plugin, '_instance') || statics._instance !== undefined) return false;
  statics._instance = plugin;
  return (statics._singletonInstance as () => unknown)() === plugin;
}

function workerPlugin(port: MessagePort, signal: Int32Array): CloudFormationValidatePlugin {
  const { CloudFormationValidatePlugin: Plugin } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  let lastId = 0;
  let version: string | undefined;

  class WorkerCloudFormationValidatePlugin extends Plugin {
    override get version(): string | undefined {
      return version;
    }

    override get ruleIds(): string[] | undefined {
      return version === undefined ? undefined : [version];
    }

    override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
      const id = ++lastId;
      const request: ValidationRequest = { id, context: { templatePaths: [...(context.templatePaths ?? [])], stackTemplates: [...(context.stackTemplates ?? [])] } };
      port.postMessage(request);
      // aws-cdk-lib calls plugins synchronously: block this thread until the worker has answered.
      const deadline = Date.now() + ANSWER_TIMEOUT_MS;
      for (;;) {
        const received = receiveMessageOnPort(port);
        if (received) {
          const reply = received.message as ValidationReply;
          if (reply.id !== id) continue;
          if ('error' in reply) throw new Error(`CloudFormation template validation failed to run: ${reply.error}`);
          version = reply.version;
          return reply.report;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`CloudFormation template validation did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
        // The worker posts its answer, then stores its id in `signal` and wakes this thread.
        const seen = Atomics.load(signal, 0);
        if (seen !== id) Atomics.wait(signal, 0, seen, Math.min(left, 1000));
      }
    }
  }
  return new WorkerCloudFormationValidatePlugin();
}
