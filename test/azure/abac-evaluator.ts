/**
 * A small evaluator for the subset of the Azure role-assignment condition language (version 2.0) the kit
 * emits: `( ) ! NOT AND OR`, `ActionMatches{'…'}`, `SubOperationMatches{'…'}` and
 * `@Resource[…]` / `@Request[…]` with `StringStartsWith '…'`. An attribute the request does not carry
 * makes its comparison false (a List Blobs request without a prefix has no `blobs:prefix`).
 */

export interface BlobRequest {
  /** The adlfs call that sends it. */
  readonly call: string;
  readonly action: string;
  readonly subOperation?: string;
  /** Attribute values present on the request: `@Resource[...]` and `@Request[...]` names. */
  readonly attributes: Readonly<Record<string, string>>;
}

type Token = { kind: 'lparen' | 'rparen' | 'not' | 'and' | 'or' } | { kind: 'action' | 'subop' | 'attr' | 'string'; value: string } | { kind: 'op'; value: string };

const TOKEN = /\s*(?:(\()|(\))|(!|NOT\b)|(AND\b)|(OR\b)|ActionMatches\{'([^']*)'\}|SubOperationMatches\{'([^']*)'\}|(@(?:Resource|Request)\[[^\]]+\])|(StringStartsWith|StringEquals)\b|'([^']*)')/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.trimEnd().length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot parse condition at ${JSON.stringify(text.slice(start, start + 40))}`);
    if (m[1]) tokens.push({ kind: 'lparen' });
    else if (m[2]) tokens.push({ kind: 'rparen' });
    else if (m[3]) tokens.push({ kind: 'not' });
    else if (m[4]) tokens.push({ kind: 'and' });
    else if (m[5]) tokens.push({ kind: 'or' });
    else if (m[6] !== undefined) tokens.push({ kind: 'action', value: m[6] });
    else if (m[7] !== undefined) tokens.push({ kind: 'subop', value: m[7] });
    else if (m[8]) tokens.push({ kind: 'attr', value: m[8] });
    else if (m[9]) tokens.push({ kind: 'op', value: m[9] });
    else if (m[10] !== undefined) tokens.push({ kind: 'string', value: m[10] });
  }
  return tokens;
}

type Node = (r: BlobRequest) => boolean;

export function compileCondition(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (kind: Token['kind']) => {
    const t = tokens[i++];
    if (!t || t.kind !== kind) throw new Error(`expected ${kind} at token ${i - 1}`);
    return t;
  };
  const or = (): Node => {
    const parts = [and()];
    while (peek()?.kind === 'or') {
      i++;
      parts.push(and());
    }
    return (r) => parts.some((p) => p(r));
  };
  const and = (): Node => {
    const parts = [unary()];
    while (peek()?.kind === 'and') {
      i++;
      parts.push(unary());
    }
    return (r) => parts.every((p) => p(r));
  };
  const unary = (): Node => {
    const t = peek();
    if (!t) throw new Error('unexpected end of condition');
    if (t.kind === 'not') {
      i++;
      const inner = unary();
      return (r) => !inner(r);
    }
    if (t.kind === 'lparen') {
      i++;
      const inner = or();
      take('rparen');
      return inner;
    }
    i++;
    if (t.kind === 'action') return (r) => r.action === t.value;
    if (t.kind === 'subop') return (r) => r.subOperation === t.value;
    if (t.kind === 'attr') {
      const op = take('op') as { value: string };
      const literal = (take('string') as { value: string }).value;
      const name = t.value;
      return (r) => {
        const value = r.attributes[name];
        if (value === undefined) return false;
        return op.value === 'StringStartsWith' ? value.startsWith(literal) : value === literal;
      };
    }
    throw new Error(`unexpected token ${t.kind}`);
  };
  const node = or();
  if (i !== tokens.length) throw new Error(`trailing tokens after position ${i}`);
  return node;
}

const STORAGE = 'Microsoft.Storage/storageAccounts/blobServices';

/** A role's permissions, as in a role definition (`actions` are control plane, `dataActions` data plane). */
export interface RolePermissions {
  readonly actions: readonly string[];
  readonly dataActions: readonly string[];
}

/** The built-in "Storage Blob Data Contributor" role definition (ba92f5b4-2d11-453d-a403-e96b0029c9fe), for comparison. */
export const BLOB_DATA_CONTRIBUTOR_DEFINITION: RolePermissions = {
  actions: [`${STORAGE}/containers/delete`, `${STORAGE}/containers/read`, `${STORAGE}/containers/write`, `${STORAGE}/generateUserDelegationKey/action`],
  dataActions: [
    `${STORAGE}/containers/blobs/delete`,
    `${STORAGE}/containers/blobs/read`,
    `${STORAGE}/containers/blobs/write`,
    `${STORAGE}/containers/blobs/move/action`,
    `${STORAGE}/containers/blobs/add/action`,
  ],
};

/**
 * Role assignment decision: an action the role does not hold is denied; control-plane actions of the
 * role are not subject to the condition (Azure evaluates conditions on data actions only).
 */
export function roleAllows(role: RolePermissions, condition: string | undefined, request: BlobRequest): boolean {
  if (role.actions.includes(request.action)) return true;
  if (!role.dataActions.includes(request.action)) return false;
  return condition === undefined ? true : compileCondition(condition)(request);
}

const PATH = `@Resource[${STORAGE}/containers/blobs:path]`;
const PREFIX = `@Request[${STORAGE}/containers/blobs:prefix]`;

export function blobOp(call: string, verb: 'read' | 'write' | 'delete' | 'add/action' | 'move/action', path: string): BlobRequest {
  return { call, action: `${STORAGE}/containers/blobs/${verb}`, attributes: { [PATH]: path } };
}

export function listBlobs(call: string, prefix: string | undefined): BlobRequest {
  return { call, action: `${STORAGE}/containers/blobs/read`, subOperation: 'Blob.List', attributes: prefix === undefined ? {} : { [PREFIX]: prefix } };
}

export function containerOp(call: string, verb: 'read' | 'write' | 'delete' | 'setAcl/action'): BlobRequest {
  return { call, action: `${STORAGE}/containers/${verb}`, attributes: {} };
}

export function userDelegationKey(call: string): BlobRequest {
  return { call, action: `${STORAGE}/generateUserDelegationKey/action`, attributes: {} };
}
