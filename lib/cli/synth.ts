/**
 * Bindings straight from a synth (nothing deployed): values that exist only after deployment become
 * `<deploy-time:...>` placeholders.
 */
import { placeholder } from '../airflow/placeholder';
import { CliError } from './errors';

type Intrinsic = Record<string, unknown>;

/** Renders a CloudFormation value (string or intrinsic) to text, intrinsics as placeholders. */
export function renderCfnValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [fn, arg] = Object.entries(value as Intrinsic)[0] ?? [];
    if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      return (arg[1] as unknown[]).map(renderCfnValue).join(arg[0]);
    }
    if (fn === 'Ref' && typeof arg === 'string') return placeholder(arg);
    if (fn === 'Fn::GetAtt') {
      if (Array.isArray(arg)) return placeholder(arg.map(String).join('.'));
      if (typeof arg === 'string') return placeholder(arg);
    }
    if (fn === 'Fn::ImportValue' && typeof arg === 'string') return placeholder(`import:${arg}`);
    if (fn) return placeholder(fn);
  }
  throw new CliError(`cannot render CloudFormation value ${JSON.stringify(value)} in the binding output`);
}

/**
 * Renders a CloudFormation `Outputs.AirflowBinding.Value` to the binding JSON text. Intrinsics sit
 * inside JSON strings (Stack.toJsonString), so each placeholder is inserted JSON-escaped.
 */
export function bindingTextFromCfnOutput(value: unknown): string {
  if (typeof value === 'string') return value;
  // Placeholders hold only JSON-safe characters; escaping keeps that true if the set ever grows.
  const escape = (text: string) => JSON.stringify(text).slice(1, -1);
  const walk = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const [fn, arg] = Object.entries(v as Intrinsic)[0] ?? [];
      if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
        return (arg[1] as unknown[]).map(walk).join(arg[0]);
      }
    }
    return escape(renderCfnValue(v));
  };
  return walk(value);
}

/**
 * Renders a Terraform output value (the binding JSON text) with every `${...}` interpolation as a
 * placeholder; `$${` is Terraform's escape for a literal `${`.
 */
export function bindingTextFromTfOutput(value: string): string {
  if (/^\$\{\s*jsonencode\(/.test(value.trim())) {
    throw new CliError('the Terraform output airflow_binding is a jsonencode() expression; the binding must be synthesized as a JSON string (JSON.stringify in the stack)');
  }
  let out = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (value.startsWith('${', i)) {
      let depth = 0;
      let j = i + 2;
      for (; j < value.length; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}') {
          if (depth === 0) break;
          depth--;
        }
      }
      if (j >= value.length) throw new CliError('unterminated ${...} interpolation in the Terraform output airflow_binding');
      let expr = value.slice(i + 2, j).trim();
      try {
        expr = JSON.parse(`"${expr}"`); // undo the JSON escaping of the surrounding string
      } catch {
        /* keep as written */
      }
      out += placeholder(expr);
      i = j + 1;
      continue;
    }
    out += value[i];
    i++;
  }
  return out;
}
