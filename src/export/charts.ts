import { escapeHtml } from './escape.js';

/**
 * Small dependency-free SVG charts for trend reports and the web application: stacked bars of
 * counts per bucket and lines of durations per bucket. Accessible (role="img", <title> and <desc>,
 * one <title> per bar or point) and every label escaped. Deterministic output for a given input.
 */

export interface ChartSeries {
  name: string;
  /** One value per category; null leaves a gap. */
  values: (number | null)[];
}

export interface ChartInput {
  title: string;
  description: string;
  categories: string[];
  series: ChartSeries[];
  /** Axis label of the values. */
  unit?: string;
  /** Formats a value for axis ticks and point titles (default: integers with thousands separators). */
  format?: (value: number) => string;
  width?: number;
  height?: number;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const MARGIN = { top: 40, right: 160, bottom: 60, left: 70 };

const esc = (s: string) => escapeHtml(s);
const defaultFormat = (v: number) => Math.round(v).toLocaleString('en-US');

/** Stacked bar chart: one bar per category, one stacked segment per series. */
export function stackedBarChartSvg(input: ChartInput): string {
  const { width, height, plotW, plotH } = frame(input);
  const format = input.format ?? defaultFormat;
  const totals = input.categories.map((_, i) => input.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const step = plotW / Math.max(1, input.categories.length);
  const barW = Math.max(1, step * 0.8);
  const parts: string[] = [];
  input.categories.forEach((category, i) => {
    let y = MARGIN.top + plotH;
    input.series.forEach((series, s) => {
      const v = series.values[i] ?? 0;
      if (v <= 0) return;
      const h = (v / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${fx(MARGIN.left + i * step + (step - barW) / 2)}" y="${fx(y)}" width="${fx(barW)}" height="${fx(h)}" fill="${PALETTE[s % PALETTE.length]}"><title>${esc(`${category}: ${series.name} ${format(v)}`)}</title></rect>`,
      );
    });
  });
  return wrap(input, width, height, [...axes(input, max, plotW, plotH, format, step), ...parts, ...legend(input, width, 'rect')]);
}

/** Line chart: one line per series over the categories (gaps where a value is null). */
export function lineChartSvg(input: ChartInput): string {
  const { width, height, plotW, plotH } = frame(input);
  const format = input.format ?? defaultFormat;
  const values = input.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(0, ...values));
  const step = plotW / Math.max(1, input.categories.length);
  const parts: string[] = [];
  input.series.forEach((series, s) => {
    const color = PALETTE[s % PALETTE.length] as string;
    let path = '';
    let pen = false;
    series.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const x = MARGIN.left + i * step + step / 2;
      const y = MARGIN.top + plotH - (v / max) * plotH;
      path += `${pen ? 'L' : 'M'}${fx(x)} ${fx(y)} `;
      pen = true;
      parts.push(`<circle cx="${fx(x)}" cy="${fx(y)}" r="3" fill="${color}"><title>${esc(`${input.categories[i] ?? ''}: ${series.name} ${format(v)}`)}</title></circle>`);
    });
    if (path) parts.unshift(`<path d="${path.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`);
  });
  return wrap(input, width, height, [...axes(input, max, plotW, plotH, format, step), ...parts, ...legend(input, width, 'line')]);
}

function frame(input: ChartInput) {
  const width = input.width ?? 900;
  const height = input.height ?? 360;
  return { width, height, plotW: width - MARGIN.left - MARGIN.right, plotH: height - MARGIN.top - MARGIN.bottom };
}

function wrap(input: ChartInput, width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, sans-serif" font-size="11">`,
    `<title id="chart-title">${esc(input.title)}</title>`,
    `<desc id="chart-desc">${esc(input.description)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${esc(input.title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function axes(input: ChartInput, max: number, plotW: number, plotH: number, format: (v: number) => string, step: number): string[] {
  const out: string[] = [];
  const x0 = MARGIN.left;
  const y0 = MARGIN.top + plotH;
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + plotW}" y2="${y0}" stroke="#333"/>`, `<line x1="${x0}" y1="${MARGIN.top}" x2="${x0}" y2="${y0}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = y0 - (plotH * i) / 4;
    out.push(`<line x1="${x0}" y1="${fx(y)}" x2="${x0 + plotW}" y2="${fx(y)}" stroke="#e5e5e5"/>`, `<text x="${x0 - 6}" y="${fx(y + 4)}" text-anchor="end">${esc(format(v))}</text>`);
  }
  if (input.unit) out.push(`<text x="14" y="${fx(MARGIN.top + plotH / 2)}" transform="rotate(-90 14 ${fx(MARGIN.top + plotH / 2)})" text-anchor="middle">${esc(input.unit)}</text>`);
  const every = Math.max(1, Math.ceil(input.categories.length / 20));
  input.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    const x = x0 + i * step + step / 2;
    out.push(`<text x="${fx(x)}" y="${y0 + 14}" text-anchor="end" transform="rotate(-45 ${fx(x)} ${y0 + 14})">${esc(c)}</text>`);
  });
  return out;
}

function legend(input: ChartInput, width: number, kind: 'rect' | 'line'): string[] {
  const x = width - MARGIN.right + 16;
  return input.series.flatMap((s, i) => {
    const y = MARGIN.top + i * 18;
    const color = PALETTE[i % PALETTE.length] as string;
    const mark = kind === 'rect' ? `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${color}"/>` : `<line x1="${x}" y1="${y - 4}" x2="${x + 12}" y2="${y - 4}" stroke="${color}" stroke-width="2"/>`;
    return [mark, `<text x="${x + 16}" y="${y}">${esc(s.name)}</text>`];
  });
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= v) return m * magnitude;
  return 10 * magnitude;
}

function fx(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** Formats seconds as a compact duration for axes (`45s`, `12m`, `3.5h`, `2.1d`). */
export function formatSecondsShort(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

/** The shape of a trend report the charts need (a structural subset of analysis/trends TrendReport). */
export interface TrendChartData {
  bucket: string;
  buckets: string[];
  incidents: { byBucket: { bucket: string; bySeverity: Record<string, number> }[] };
  responseTimes: { byBucket: { bucket: string; metrics: Record<string, { medianSeconds: number | null; p90Seconds: number | null }> }[] };
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

/** The charts of a trend report: incidents per bucket by severity, and response time medians and 90th percentiles per bucket. */
export function trendChartsSvg(report: TrendChartData): { name: string; svg: string }[] {
  const severities = [...new Set(report.incidents.byBucket.flatMap((b) => Object.keys(b.bySeverity)))].sort(
    (a, b) => (SEVERITY_ORDER.indexOf(a) + 1 || 99) - (SEVERITY_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const charts = [
    {
      name: 'incidents-by-severity.svg',
      svg: stackedBarChartSvg({
        title: `Incidents per ${report.bucket} by severity`,
        description: `Stacked bars: number of incidents created in each ${report.bucket} from ${report.buckets[0] ?? '-'} to ${report.buckets.at(-1) ?? '-'}, split by severity.`,
        categories: report.buckets,
        series: severities.map((s) => ({ name: s, values: report.incidents.byBucket.map((b) => b.bySeverity[s] ?? 0) })),
        unit: 'incidents',
      }),
    },
  ];
  for (const metric of ['acknowledge', 'resolve', 'detect', 'contain']) {
    charts.push({
      name: `time-to-${metric}.svg`,
      svg: lineChartSvg({
        title: `Time to ${metric} per ${report.bucket}`,
        description: `Median and 90th percentile of the time to ${metric} of incidents created in each ${report.bucket}.`,
        categories: report.buckets,
        series: [
          { name: 'median', values: report.responseTimes.byBucket.map((b) => b.metrics[metric]?.medianSeconds ?? null) },
          { name: '90th percentile', values: report.responseTimes.byBucket.map((b) => b.metrics[metric]?.p90Seconds ?? null) },
        ],
        unit: 'duration',
        format: formatSecondsShort,
      }),
    });
  }
  return charts;
}
