import { describe, expect, it } from 'vitest';
import { lineChartSvg, stackedBarChartSvg } from '../../src/export/charts.js';

describe('SVG charts', () => {
  it('escapes labels and carries title and description', () => {
    const svg = stackedBarChartSvg({
      title: 'Incidents <by> "severity" & more',
      description: "Team's <script>alert(1)</script>",
      categories: ['2025-W01', '<img src=x>'],
      series: [{ name: 'high & <b>', values: [3, 4] }],
    });
    expect(svg).toContain('<title id="chart-title">Incidents &lt;by&gt; &quot;severity&quot; &amp; more</title>');
    expect(svg).toContain('<desc id="chart-desc">Team&#39;s &lt;script&gt;alert(1)&lt;/script&gt;</desc>');
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('high &amp; &lt;b&gt;');
    expect(svg.match(/<rect x=/g)).toHaveLength(2 + 1); // two bars and one legend swatch
  });

  it('draws lines with gaps for missing values', () => {
    const svg = lineChartSvg({ title: 't', description: 'd', categories: ['a', 'b', 'c'], series: [{ name: 'median', values: [10, null, 30] }] });
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+ M[\d.]+ [\d.]+"/);
  });
});
