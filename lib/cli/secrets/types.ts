import { SecretRef } from '../../binding';

/** Reads the current value of a stored secret. One implementation per store; tests inject fakes. */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

export type ResolverFactory = (store: SecretRef['store'], env: NodeJS.ProcessEnv) => Promise<SecretResolver>;

/**
 * A failure to read a secret that the user can fix: `reason` says what went wrong in one line (no
 * stack), `hint` how to log in or what to check.
 */
export class SecretAccessError extends Error {
  constructor(
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${reason}; ${hint}`);
    this.name = 'SecretAccessError';
  }
}

/** How long one secret read may take before it is reported as unreachable. */
export const SECRET_TIMEOUT_MS = 15_000;

/** `promise`, or a {@link SecretAccessError} after `ms` (the SDKs' own retries can take much longer). */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string, hint: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SecretAccessError(`${what} did not answer within ${Math.round(ms / 1000)} s`, hint)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first line of an SDK error, without stack or request dump. */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n')[0] ?? '').trim() || 'unknown error';
}
