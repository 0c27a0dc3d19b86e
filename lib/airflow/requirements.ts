/** The Python packages an Airflow deployment needs for the chosen bindings and backend. */
import { AirflowBinding, Cloud } from '../binding';
import { Backend } from './settings';

/** The provider (with the fsspec filesystem it needs) per cloud. */
export const PROVIDER_BY_CLOUD: Readonly<Record<Cloud, string>> = {
  aws: 'apache-airflow-providers-amazon[s3fs]', // s3fs is an extra of the amazon provider
  gcp: 'apache-airflow-providers-google', // depends on gcsfs
  azure: 'apache-airflow-providers-microsoft-azure', // depends on adlfs
};

/** Libraries fsspec needs to register a codec that is not in the standard library. */
export const COMPRESSION_LIBRARIES: Readonly<Record<string, string>> = {
  lz4: 'lz4',
  zstd: 'zstandard',
};

export interface Requirement {
  readonly name: string;
  readonly why: string;
}

export function requirementsFor(bindings: readonly AirflowBinding[], backend: Backend): Requirement[] {
  const clouds = [...new Set(bindings.map((b) => b.cloud))];
  const out: Requirement[] = [{ name: 'apache-airflow-providers-common-io', why: 'ObjectStoragePath and the XCom object storage backend' }];
  for (const cloud of clouds) out.push({ name: PROVIDER_BY_CLOUD[cloud], why: `${cloud} connection and filesystem` });
  // The runtime package is not published on PyPI: pip installs it from the kit's runtime/ directory.
  if (backend === 'xcomkit') {
    out.push({
      name: `./runtime[${clouds.join(',')}]`,
      why: 'airflow-xcomkit (the runtime backend), not on PyPI: the path of this kit\'s runtime/ directory as your image build sees it',
    });
  }
  const compression = bindings[0]?.xcom.compression;
  if (compression && COMPRESSION_LIBRARIES[compression]) {
    out.push({ name: COMPRESSION_LIBRARIES[compression], why: `registers the "${compression}" codec in fsspec` });
  }
  return out;
}

/** A requirements.txt fragment, one package a line with its reason as a comment. */
export function renderRequirements(bindings: readonly AirflowBinding[], backend: Backend): string {
  const reqs = requirementsFor(bindings, backend);
  const width = Math.max(...reqs.map((r) => r.name.length));
  const envs = bindings.map((b) => `${b.cloud}/${b.environment}`).join(', ');
  return [`# Airflow XCom object storage (${envs}), ${backend} backend`, ...reqs.map((r) => `${r.name.padEnd(width)}  # ${r.why}`)].join('\n') + '\n';
}
