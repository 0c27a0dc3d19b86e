/** A binding or a combination of bindings that cannot be turned into a working Airflow configuration. */
export class AirflowSettingsError extends Error {
  readonly problems: readonly string[];
  constructor(context: string, problems: readonly string[]) {
    super(problems.length === 1 ? `${context}: ${problems[0]}` : `${context}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AirflowSettingsError';
    this.problems = problems;
  }
}
