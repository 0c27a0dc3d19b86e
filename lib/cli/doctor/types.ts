/** One row of the `xcomkit doctor` report. */
export type CheckStatus = 'pass' | 'fail' | 'not-checked';

export interface Check {
  /** Stable id, for `--json` consumers and tests: `names`, `path`, `write`, ... */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found; for `not-checked`, why (e.g. "not enforced here: ..."). */
  readonly detail: string;
  /** How to fix a failure. */
  readonly fix?: string;
}

/** What the static checks learned, for the live checks. */
export interface ProbePlan {
  readonly path?: string;
  /** `<scheme>://<conn_id>@<bucket>`: where the out-of-prefix probe writes. */
  readonly root?: string;
  readonly scheme?: string;
  readonly connId?: string;
  /** Connection types Airflow's filesystem for the scheme accepts. */
  readonly connTypes: readonly string[];
  readonly backend?: string;
  readonly compression?: string | null;
  /** Python modules to import, with the requirement each stands for. */
  readonly modules: ReadonlyArray<{ readonly package: string; readonly module: string }>;
}
