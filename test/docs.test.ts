/**
 * The documentation against the repository: every relative link (and its #anchor) resolves, and
 * every command in a shell code block runs or at least parses. `npx xcomkit ...` commands go through
 * the real command parser (an unknown option, command or choice fails here; a source file that
 * only exists after a deploy does not); `npm run <script>`, `npx <bin>` and `bash <script>` must
 * name something that exists. Cloud CLIs (aws, gcloud, az, terraform, kubectl, helm) are
 * prerequisites of a deploy and are not run. External links are not fetched (no network in CI).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STACK_VARIANTS } from './aws/helpers';
import { cli } from './cli/helpers';

const ROOT = path.resolve(__dirname, '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to "-". */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

const links = DOCS.flatMap((file) =>
  [...read(file).replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => [file, target] as const),
);

describe('documentation links', () => {
  test('there are links to check', () => expect(links.length).toBeGreaterThan(10));

  test.each(links)('%s -> %s resolves', (file, target) => {
    const [rel, anchor] = target.split('#');
    const resolved = rel === '' ? file : path.normalize(path.join(path.dirname(file), rel));
    expect(fs.existsSync(path.join(ROOT, resolved))).toBe(true);
    if (anchor) expect([...anchors(read(resolved))]).toContain(anchor);
  });
});

/** Shell commands in ```sh / ```bash / ``` blocks, one per line, comments and continuations handled. */
function commands(file: string): string[] {
  const out: string[] = [];
  for (const block of read(file).matchAll(/```(sh|bash|shell|console)?\n([\s\S]*?)```/g)) {
    if (block[1] === undefined && !/^\s*(npx|npm|bash) /m.test(block[2])) continue; // output samples
    const text = block[2].replace(/\\\n\s*/g, ' ');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^\$\s+/, '').replace(/\s+#.*$/, '').trim();
      if (line === '' || line.startsWith('#')) continue;
      out.push(...line.split(/\s*(?:&&|\|\||;|\|)\s*/).filter(Boolean));
    }
  }
  return out;
}

const ALL = DOCS.flatMap((file) => commands(file).map((c) => [file, c] as const));
const words = (command: string) => (command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
/** Arguments up to a redirection. */
const args = (command: string) => {
  const w = words(command);
  const stop = w.findIndex((x) => /^(>|>>|<|2>)/.test(x));
  return stop < 0 ? w : w.slice(0, stop);
};
const PACKAGE = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };

describe('documented commands', () => {
  const xcomkit = ALL.filter(([, c]) => /^npx xcomkit( |$)/.test(c));
  test('there are xcomkit commands to check', () => expect(xcomkit.length).toBeGreaterThan(10));

  test.each(xcomkit)('%s: %s parses', async (_, command) => {
    // Output files go to a temporary directory, never into the repository.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-docs-'));
    const argv = args(command).slice(2);
    for (let i = 0; i < argv.length - 1; i++) if (['-o', '--output', '--secret-output', '--plot'].includes(argv[i])) argv[i + 1] = path.join(out, path.basename(argv[i + 1]));
    const r = await cli(argv);
    fs.rmSync(out, { recursive: true, force: true });
    expect(r.stderr).not.toMatch(/unknown option|unknown command|missing required argument|too many arguments|argument .* is invalid|Allowed choices/);
    expect([0, 1]).toContain(r.code); // 1: a deploy output that does not exist here
  });

  test.each(ALL.filter(([, c]) => /^npm run /.test(c)))('%s: %s names a package script', (_, command) => {
    expect(Object.keys(PACKAGE.scripts)).toContain(args(command)[2]);
  });

  test.each(ALL.filter(([, c]) => /^npx (?!xcomkit|-p )/.test(c)))('%s: %s names an installed binary', (_, command) => {
    const bin = args(command)[1];
    expect(fs.existsSync(path.join(ROOT, 'node_modules', '.bin', bin))).toBe(true);
  });

  test.each(ALL.filter(([, c]) => /^bash /.test(c)))('%s: %s names a script', (_, command) => {
    expect(fs.existsSync(path.join(ROOT, args(command)[1]))).toBe(true);
  });

  test('npx xcomkit resolves to the package bin', () => {
    expect(fs.existsSync(path.join(ROOT, PACKAGE.bin.xcomkit))).toBe(true);
  });
});

describe('counts the docs state', () => {
  const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
  test.each([
    ['SECURITY.md', /(\w+) identity\/encryption\/logging variants/],
    ['docs/aws.md', /every shipped environment and (\w+) more\s+variants/],
  ])('%s names as many cdk-nag stack variants as test/aws/helpers.ts runs', (file, pattern) => {
    expect(read(file).match(pattern)?.[1]).toBe(WORDS[STACK_VARIANTS.length]);
  });
});
