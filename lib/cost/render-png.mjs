// Renders a Vega-Lite spec (JSON on stdin) to PNG bytes on stdout: vega-lite compiles it, vega
// lays it out as SVG, resvg rasterizes it. A separate ES module process because vega 6 is ESM with
// top-level await, which the CLI's CommonJS loader (and jest) cannot require().
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';

try {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true } }).render().asPng();
  process.stdout.write(png);
} catch (e) {
  // One line for the CLI's error message, not a stack trace into vega's bundle.
  process.stderr.write(`render-png: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
