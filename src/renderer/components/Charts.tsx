/** A small line chart of a series (values ≥ 0), drawn as SVG, with its peak and time span. */
export function Sparkline({ values, label, max, unit, span }: { values: number[]; label: string; max?: number; unit: string; span?: string }) {
  const w = 300;
  const h = 60;
  const top = Math.max(max ?? 0, ...values, 1e-9);
  // One sample draws a flat line across, so a fresh chart is not empty.
  const series = values.length === 1 ? [values[0]!, values[0]!] : values;
  const y = (v: number): number => h - (v / top) * (h - 4) - 2;
  const pts = series.map((v, i) => `${series.length > 1 ? (i / (series.length - 1)) * w : 0},${y(v)}`).join(' ');
  const lastV = values.length ? values[values.length - 1]! : 0;
  const peak = values.length ? Math.max(...values) : 0;
  return (
    <figure className="chart">
      <figcaption>{label}: <strong>{unit === '%' ? `${lastV.toFixed(1)}%` : unit}</strong>{values.length > 1 && unit === '%' && <span className="muted"> · peak {peak.toFixed(1)}%</span>}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label} preserveAspectRatio="none">
        <line x1="0" x2={w} y1={h - 1} y2={h - 1} className="baseline" />
        {series.length > 0 && <polyline points={`0,${h} ${pts} ${w},${h}`} className="area" />}
        {series.length > 0 && <polyline points={pts} fill="none" className="line" strokeWidth="2" vectorEffect="non-scaling-stroke" />}
      </svg>
      <div className="chart-axis small muted"><span>{span ?? ''}</span><span>now</span></div>
    </figure>
  );
}

/** Stacked bars per minute: allowed vs denied connections. */
export function ConnBars({ buckets, label }: { buckets: { allowed: number; denied: number }[]; label: string }) {
  const w = 300;
  const h = 60;
  const top = Math.max(1, ...buckets.map((b) => b.allowed + b.denied));
  const bw = w / Math.max(1, buckets.length);
  const total = buckets.reduce((s, b) => ({ a: s.a + b.allowed, d: s.d + b.denied }), { a: 0, d: 0 });
  return (
    <figure className="chart">
      <figcaption>{label}: <strong>{total.a} allowed, {total.d} denied</strong></figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}: ${total.a} allowed, ${total.d} denied`} preserveAspectRatio="none">
        <line x1="0" x2={w} y1={h - 1} y2={h - 1} className="baseline" />
        {buckets.map((b, i) => {
          const ha = (b.allowed / top) * h;
          const hd = (b.denied / top) * h;
          return (
            <g key={i}>
              <title>{`${buckets.length - 1 - i} min ago: ${b.allowed} allowed, ${b.denied} denied`}</title>
              <rect x={i * bw + 1} width={bw - 2} y={h - ha} height={ha} className="bar-ok" />
              <rect x={i * bw + 1} width={bw - 2} y={h - ha - hd} height={hd} className="bar-bad" />
            </g>
          );
        })}
      </svg>
      <div className="chart-axis small muted"><span>−{buckets.length} min</span><span>now · peak {top}/min</span></div>
    </figure>
  );
}
