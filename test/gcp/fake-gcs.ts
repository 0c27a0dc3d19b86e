/**
 * A small in-memory GCS JSON-API server on loopback that answers only what the kit's grants allow,
 * for running the real gcsfs against. It implements what gcsfs sends on the XCom paths (bucket GET,
 * object GET/list/media download, multipart and resumable upload, DELETE, bucket create) and records every request
 * with the IAM permission it needs and the decision. Anything else is answered 501 and recorded, so an
 * unexpected call shows up in the test instead of passing silently.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowed, type Grant, type Request } from './grants';

export interface RecordedRequest extends Request {
  readonly method: string;
  readonly url: string;
  /** HTTP status answered. */
  readonly status: number;
  readonly allowed: boolean;
}

interface StoredObject {
  readonly data: Buffer;
  readonly contentType: string;
  readonly generation: number;
}

export interface FakeGcs {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly objects: Map<string, StoredObject>;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
  return status;
}

function error(res: http.ServerResponse, status: number, message: string): number {
  return json(res, status, { error: { code: status, message, errors: [{ message, reason: status === 403 ? 'forbidden' : 'notFound' }] } });
}

function objectResource(bucket: string, name: string, o: StoredObject) {
  const now = new Date(0).toISOString();
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${o.generation}`,
    name,
    bucket,
    size: String(o.data.length),
    contentType: o.contentType,
    generation: String(o.generation),
    metageneration: '1',
    storageClass: 'STANDARD',
    timeCreated: now,
    updated: now,
  };
}

/** Starts the server for `bucket`, enforcing `grants`; the caller closes it. */
export async function startFakeGcs(bucket: string, grants: Grant[]): Promise<FakeGcs> {
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, StoredObject>();
  const sessions = new Map<string, { name: string; chunks: Buffer[]; contentType: string }>();
  let generation = 1;
  let port = 0;
  const base = () => `http://127.0.0.1:${port}`;

  const handle = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): { request: Request; status: number } => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const decide = (request: Request, then: () => number): { request: Request; status: number } => {
      if (!allowed(grants, request)) return { request, status: error(res, 403, `caller does not have ${request.permission} access`) };
      return { request, status: then() };
    };
    let m: RegExpExecArray | null;

    if (method === 'GET' && (m = /^\/storage\/v1\/b\/([^/]+)$/.exec(path))) {
      return decide({ call: 'GET bucket', permission: 'storage.buckets.get' }, () =>
        m![1] === bucket ? json(res, 200, { kind: 'storage#bucket', name: bucket, id: bucket, location: 'EU', storageClass: 'STANDARD' }) : error(res, 404, 'no such bucket'),
      );
    }
    if (method === 'POST' && /^\/storage\/v1\/b\/?$/.test(path)) {
      return decide({ call: 'create bucket', permission: 'storage.buckets.create' }, () => error(res, 409, 'bucket exists'));
    }
    if (method === 'GET' && (m = /^\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(path))) {
      const prefix = q.get('prefix');
      return decide({ call: `list prefix=${prefix ?? '(none)'}`, permission: 'storage.objects.list', listPrefix: prefix === null || prefix === '' ? null : prefix }, () => {
        const delimiter = q.get('delimiter');
        const max = Number(q.get('maxResults') ?? '1000');
        const items: unknown[] = [];
        const prefixes = new Set<string>();
        for (const [name, o] of [...objects.entries()].sort(([a], [b]) => a.localeCompare(b))) {
          if (prefix && !name.startsWith(prefix)) continue;
          const rest = name.slice(prefix?.length ?? 0);
          if (delimiter && rest.includes(delimiter)) prefixes.add((prefix ?? '') + rest.slice(0, rest.indexOf(delimiter) + 1));
          else items.push(objectResource(bucket, name, o));
        }
        return json(res, 200, { kind: 'storage#objects', items: items.slice(0, max), prefixes: [...prefixes].slice(0, max) });
      });
    }
    const objectPath = /^\/(?:download\/)?storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    if (objectPath && (method === 'GET' || method === 'DELETE')) {
      const name = decodeURIComponent(objectPath[2]);
      if (method === 'DELETE') {
        return decide({ call: 'DELETE object', permission: 'storage.objects.delete', object: name }, () => {
          if (!objects.delete(name)) return error(res, 404, 'No such object');
          res.writeHead(204);
          res.end();
          return 204;
        });
      }
      const media = q.get('alt') === 'media';
      return decide({ call: media ? 'GET object media' : 'GET object', permission: 'storage.objects.get', object: name }, () => {
        const o = objects.get(name);
        if (!o) return error(res, 404, 'No such object');
        if (!media) return json(res, 200, objectResource(bucket, name, o));
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        const start = range ? Number(range[1]) : 0;
        const end = range && range[2] !== '' ? Math.min(Number(range[2]), o.data.length - 1) : o.data.length - 1;
        const slice = o.data.subarray(start, end + 1);
        res.writeHead(range ? 206 : 200, { 'content-type': o.contentType, 'content-length': String(slice.length) });
        res.end(slice);
        return range ? 206 : 200;
      });
    }
    if (method === 'POST' && /^\/upload\/storage\/v1\/b\/[^/]+\/o$/.test(path) && q.get('uploadType') === 'multipart') {
      // multipart/related: a JSON metadata part, then the data part.
      const boundary = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1] ?? '';
      const text = body.toString('latin1');
      const parts = text.split(`--${boundary}`).slice(1, -1);
      const metadata = JSON.parse(parts[0].slice(parts[0].indexOf('\n\n') + 2).trim()) as { name: string };
      const dataPart = parts[1];
      const headerEnd = dataPart.indexOf('\n\n');
      const contentType = /Content-Type: ([^\n]+)/i.exec(dataPart.slice(0, headerEnd))?.[1]?.trim() ?? 'application/octet-stream';
      const data = Buffer.from(dataPart.slice(headerEnd + 2, dataPart.length - 1), 'latin1');
      const name = metadata.name;
      const permission = objects.has(name) ? 'storage.objects.delete' : 'storage.objects.create';
      const create: Request = { call: 'upload (multipart)', permission: 'storage.objects.create', object: name };
      if (!allowed(grants, create)) return { request: create, status: error(res, 403, 'caller does not have storage.objects.create access') };
      // Replacing an existing name also needs delete.
      return decide({ call: 'upload (multipart)', permission, object: name }, () => {
        if (q.get('ifGenerationMatch') === '0' && objects.has(name)) return error(res, 412, 'precondition failed');
        const o = { data, contentType, generation: ++generation };
        objects.set(name, o);
        return json(res, 200, objectResource(bucket, name, o));
      });
    }
    if (method === 'POST' && /^\/upload\/storage\/v1\/b\/[^/]+\/o$/.test(path) && q.get('uploadType') === 'resumable') {
      // Resumable upload (gcsfs's buffered writes): authorized when the session is created.
      const name = q.get('name') ?? '';
      const replace = objects.has(name);
      const create: Request = { call: 'upload (resumable): start', permission: 'storage.objects.create', object: name };
      if (!allowed(grants, create)) return { request: create, status: error(res, 403, 'caller does not have storage.objects.create access') };
      return decide({ call: 'upload (resumable): start', permission: replace ? 'storage.objects.delete' : 'storage.objects.create', object: name }, () => {
        const id = String(++generation);
        sessions.set(id, { name, chunks: [], contentType: String(req.headers['x-upload-content-type'] ?? 'application/octet-stream') });
        res.writeHead(200, { location: `${base()}/upload/resumable/${id}`, 'content-length': '0' });
        res.end();
        return 200;
      });
    }
    if ((method === 'PUT' || method === 'POST') && (m = /^\/upload\/resumable\/(\d+)$/.exec(path))) {
      const session = sessions.get(m[1]);
      // The session itself is the authorization (granted at its start): no IAM check per chunk.
      const request: Request = { call: 'upload (resumable): data', permission: 'storage.objects.create', object: session?.name };
      if (!session) return { request, status: error(res, 404, 'no such upload session') };
      session.chunks.push(body);
      const received = session.chunks.reduce((n, c) => n + c.length, 0);
      const total = /\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''))?.[1];
      if (total === undefined || Number(total) !== received) {
        res.writeHead(308, received > 0 ? { range: `bytes=0-${received - 1}`, 'content-length': '0' } : { 'content-length': '0' });
        res.end();
        return { request, status: 308 };
      }
      sessions.delete(m[1]);
      const o = { data: Buffer.concat(session.chunks), contentType: session.contentType, generation: ++generation };
      objects.set(session.name, o);
      return { request, status: json(res, 200, objectResource(bucket, session.name, o)) };
    }
    const request: Request = { call: `unsupported ${method} ${path}`, permission: 'unsupported' };
    return { request, status: error(res, 501, `the fake GCS server does not implement ${method} ${path}`) };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let outcome: { request: Request; status: number };
      try {
        outcome = handle(req, Buffer.concat(chunks), res);
      } catch (err) {
        outcome = { request: { call: `server error: ${String(err)}`, permission: 'unsupported' }, status: error(res, 500, String(err)) };
      }
      requests.push({ ...outcome.request, method: req.method ?? '', url: req.url ?? '', status: outcome.status, allowed: outcome.status !== 403 && outcome.status !== 501 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
