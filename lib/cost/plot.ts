/**
 * The `--plot` chart: stored GB over the days, with and without lifecycle rules, one colour per
 * cloud. A Vega-Lite spec rendered by vega and resvg (render-png.mjs); nothing is drawn by hand.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CloudEstimate } from './model';
import { CostCloud } from './policy';

const CLOUD_COLOURS: Record<CostCloud, string> = { aws: '#ff9900', gcp: '#4285f4', azure: '#008272' };

export interface PlotOptions {
  readonly title: string;
}

/** The Vega-Lite spec of the chart (pure, so tests can check what is plotted). */
export function plotSpec(estimates: readonly CloudEstimate[], options: PlotOptions): Record<string, unknown> {
  const values = estimates.flatMap((e) =>
    (['withRules', 'withoutRules'] as const).flatMap((scenario) =>
      e[scenario].series.map((gb, i) => ({
        day: i + 1,
        cloud: e.policy.cloud,
        lifecycle: scenario === 'withRules' ? 'with lifecycle rules' : 'without lifecycle rules',
        gb: Math.round(gb * 1000) / 1000,
      })),
    ),
  );
  const clouds = estimates.map((e) => e.policy.cloud);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 640,
    height: 360,
    background: 'white',
    config: { font: 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif' },
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'day', type: 'quantitative', title: 'day' },
      y: { field: 'gb', type: 'quantitative', title: 'stored GB' },
      // The same colour for a cloud in every chart, whichever clouds it shows.
      color: { field: 'cloud', type: 'nominal', title: 'cloud', scale: { domain: clouds, range: clouds.map((c) => CLOUD_COLOURS[c]) } },
      strokeDash: { field: 'lifecycle', type: 'nominal', title: 'lifecycle', legend: { labelLimit: 300 }, sort: ['with lifecycle rules', 'without lifecycle rules'] },
      detail: { field: 'lifecycle' },
    },
  };
}

export class PlotError extends Error {}

/** PNG bytes of the spec, from a child Node process running render-png.mjs. */
export function renderPng(spec: Record<string, unknown>): Buffer {
  const script = path.join(__dirname, 'render-png.mjs');
  const r = spawnSync(process.execPath, [script], { input: JSON.stringify(spec), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (r.error) throw new PlotError(`could not render the plot: ${r.error.message}`);
  if (r.status !== 0) throw new PlotError(`could not render the plot: ${r.stderr.toString('utf8').trim().split('\n').slice(0, 5).join(' ')}`);
  return r.stdout;
}
