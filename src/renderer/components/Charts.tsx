/** A small line chart of a series (values ≥ 0), drawn as SVG. */
export function Sparkline({ values, label, max, unit }: { values: number[]; label: string; max?: number; unit: string }) {
  const w = 300;
  const h = 60;
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const pts = values.map((v, i) => `${values.length > 1 ? (i / (values.length - 1)) * w : 0},${h - (v / top) * (h - 4) - 2}`).join(' ');
  const lastV = values.length ? values[values.length - 1]! : 0;
  return (
    <figure className="chart">
      <figcaption>{label}: <strong>{unit === '%' ? `${lastV.toFixed(1)}%` : unit}</strong></figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label} preserveAspectRatio="none">
        <polyline points={pts} fill="none" className="line" strokeWidth="2" />
      </svg>
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
        {buckets.map((b, i) => {
          const ha = (b.allowed / top) * h;
          const hd = (b.denied / top) * h;
          return (
            <g key={i}>
              <rect x={i * bw + 1} width={bw - 2} y={h - ha} height={ha} className="bar-ok" />
              <rect x={i * bw + 1} width={bw - 2} y={h - ha - hd} height={hd} className="bar-bad" />
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
