import { ResolverFactory } from './secrets/types';

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Everything the command touches outside the file system, injectable for tests. */
export interface Io {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly env: NodeJS.ProcessEnv;
  /** Secret store clients (tests inject fakes). @default - the official SDKs, loaded lazily */
  readonly resolverFactory?: ResolverFactory;
}

export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

/** ANSI colour only on a terminal, and never with NO_COLOR (https://no-color.org) or --no-color. */
export function style(stream: Stream, env: NodeJS.ProcessEnv, enabled: boolean): Style {
  const on = enabled && stream.isTTY === true && !env.NO_COLOR;
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap('31'), yellow: wrap('33'), bold: wrap('1'), dim: wrap('2') };
}
