interface Bar {
  label: string
  value: number
  className?: string
}

interface Props {
  bars: Bar[]
  title: string
  height?: number
  /** Show every nth label under the axis (long series). */
  labelEvery?: number
}

/** A small SVG bar chart; enough for counts per day, per severity and per score bucket. */
export function BarChart({ bars, title, height = 160, labelEvery = 1 }: Props) {
  const width = Math.max(320, bars.length * 18)
  const max = Math.max(...bars.map((b) => b.value), 1)
  const slot = width / Math.max(bars.length, 1)
  const plot = height - 28
  return (
    <figure className="bar-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        {bars.map((b, i) => {
          const h = (b.value / max) * (plot - 12)
          return (
            <g key={`${b.label}-${i}`}>
              <rect x={i * slot + slot * 0.15} y={plot - h} width={slot * 0.7} height={h} className={b.className ?? 'bar'}>
                <title>{`${b.label}: ${b.value.toLocaleString()}`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text x={i * slot + slot / 2} y={height - 8} textAnchor="middle" className="axis-label">
                  {b.label}
                </text>
              )}
            </g>
          )
        })}
        <text x={4} y={10} className="axis-label">
          max {max.toLocaleString()}
        </text>
      </svg>
    </figure>
  )
}
