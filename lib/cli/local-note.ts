/** Marks settings made from `xcomkit local up` outputs: a connection extra points at a loopback server. */
import { AirflowBinding } from '../binding';

const LOOPBACK_URL = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

/** The note xcomkit adds to its output for bindings with a local endpoint, or undefined. */
export function localNote(bindings: readonly AirflowBinding[]): string | undefined {
  const endpoints = bindings.flatMap((b) =>
    Object.entries(b.connection.extra)
      .filter(([, v]) => LOOPBACK_URL.test(v))
      .map(([k, v]) => `${b.cloud}/${b.environment} ${k}=${v}`),
  );
  if (endpoints.length === 0) return undefined;
  return `LOCAL: these settings point at local servers (xcomkit local up), not a cloud: ${endpoints.join(', ')}; the platform's part (credentials, endpoints) is in the local ambient.env`;
}
