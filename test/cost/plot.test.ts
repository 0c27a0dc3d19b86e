import { estimateCloud } from '../../lib/cost/model';
import { load, policy } from './fixtures';
import { plotSpec, renderPng } from '../../lib/cost/plot';
import { pngInfo } from './png';

const estimates = (['aws', 'gcp'] as const).map((cloud) => estimateCloud(policy({ cloud, region: 'r', noncurrentDays: 1 }), load({ dailyGb: 2 }), 20));

describe('plotSpec', () => {
  test('plots every day of both scenarios of every cloud, coloured by cloud and dashed by scenario', () => {
    const spec = plotSpec(estimates, { title: 'dev, 2 GB/day' }) as { data: { values: { day: number; cloud: string; lifecycle: string; gb: number }[] }; encoding: Record<string, { field: string }>; title: string };
    expect(spec.title).toBe('dev, 2 GB/day');
    expect(spec.data.values).toHaveLength(2 * 2 * 20);
    expect(spec.encoding.color).toMatchObject({ field: 'cloud', scale: { domain: ['aws', 'gcp'], range: ['#ff9900', '#4285f4'] } });
    expect(spec.encoding.strokeDash.field).toBe('lifecycle');
    const aws = (lifecycle: string) => spec.data.values.filter((v) => v.cloud === 'aws' && v.lifecycle === lifecycle);
    expect(aws('with lifecycle rules').map((v) => v.gb).slice(6, 10)).toEqual([14, 16, 16, 16]);
    expect(aws('without lifecycle rules').at(-1)).toEqual({ day: 20, cloud: 'aws', lifecycle: 'without lifecycle rules', gb: 40 });
  });
});

describe('renderPng', () => {
  test('renders the chart as a valid PNG of plausible size', () => {
    const png = renderPng(plotSpec(estimates, { title: 't' }));
    const { width, height } = pngInfo(png);
    expect(width).toBeGreaterThan(600);
    expect(width).toBeLessThan(4000);
    expect(height).toBeGreaterThan(300);
    expect(height).toBeLessThan(3000);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(5_000_000);
  });

  test('reports what the renderer said when the spec is broken', () => {
    expect(() => renderPng({ mark: 'no-such-mark', data: { values: [] } })).toThrow(/^could not render the plot: render-png: \S/);
  });
});
