/**
 * Resolves the CloudFormation intrinsics of a synthesized template (Ref, Fn::GetAtt, Fn::Join,
 * Fn::Select, Fn::Split, pseudo parameters) into concrete values, so policies can be evaluated
 * with an IAM simulator as if deployed.
 */
export interface Deployment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Ref value of each resource by logical id (bucket name, user name, secret ARN, ...). */
  readonly refs: Readonly<Record<string, string>>;
  /** Attribute values: `<logicalId>.<attr>` -> value. */
  readonly attributes: Readonly<Record<string, string>>;
}

export function resolveIntrinsics(value: unknown, deployment: Deployment): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, deployment));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = obj[key];
    switch (key) {
      case 'Ref':
        return ref(String(arg), deployment);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        const found = deployment.attributes[`${id}.${attr}`];
        if (found === undefined) throw new Error(`no value for Fn::GetAtt ${id}.${attr}`);
        return found;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts, deployment) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolveIntrinsics(list, deployment) as unknown[])[Number(resolveIntrinsics(index, deployment))];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(resolveIntrinsics(source, deployment)).split(sep);
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${key}`);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(obj[k], deployment)]));
}

function ref(name: string, d: Deployment): string {
  switch (name) {
    case 'AWS::Partition':
      return d.partition;
    case 'AWS::Region':
      return d.region;
    case 'AWS::AccountId':
      return d.accountId;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default: {
      const found = d.refs[name];
      if (found === undefined) throw new Error(`no value for Ref ${name}`);
      return found;
    }
  }
}
