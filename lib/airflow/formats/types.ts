import { AirflowSettings } from '../settings';

export interface RenderOptions {
  /** Base name of Kubernetes objects: `<name>-config` (ConfigMap) and `<name>-secrets` (Secret). @default 'airflow-xcoms' */
  readonly name?: string;
  /** Kubernetes namespace of the objects. @default - none (kubectl's current namespace) */
  readonly namespace?: string;
}

export interface Rendered {
  /** The document for `--output` / stdout. */
  readonly main: string;
  /** A separate Kubernetes Secret manifest (Helm values reference it; they never hold secrets). */
  readonly secretManifest?: string;
  /** `main` holds a credential. */
  readonly mainHasSecrets: boolean;
  /** Human notes specific to the format (printed on stderr unless --quiet). */
  readonly notes: readonly string[];
}

export interface Format {
  readonly name: string;
  readonly summary: string;
  render(settings: AirflowSettings, options?: RenderOptions): Rendered;
}

export const DEFAULT_K8S_NAME = 'airflow-xcoms';
