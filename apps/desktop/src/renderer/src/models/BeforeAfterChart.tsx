interface Group {
  label: string
  before: number
  after: number
  /** CSS class giving the group its colour (e.g. sev-HIGH). */
  className: string
}

interface Props {
  title: string
  groups: Group[]
  beforeLabel: string
  afterLabel: string
}

/**
 * Two bars per group, side by side: the dashboard's BarChart draws one bar per label,
 * and a before/after needs the pair under one label with a legend. The "before" bar is
 * drawn pale so the pair reads without colour alone (the legend and titles say which).
 */
export function BeforeAfterChart({ title, groups, beforeLabel, afterLabel }: Props) {
  const width = 360
  const height = 170
  const plot = height - 44
  const max = Math.max(1, ...groups.flatMap((g) => [g.before, g.after]))
  const slot = width / Math.max(groups.length, 1)
  const bar = slot * 0.3
  const summary = groups.map((g) => `${g.label}: ${g.before} ${beforeLabel}, ${g.after} ${afterLabel}`).join('; ')
  return (
    <figure className="bar-chart before-after-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}. ${summary}`}>
        {groups.map((g, i) => {
          const x = i * slot + slot * 0.18
          const hb = (g.before / max) * (plot - 12)
          const ha = (g.after / max) * (plot - 12)
          return (
            <g key={g.label} className={g.className}>
              <rect x={x} y={plot - hb} width={bar} height={hb} className="bar-before">
                <title>{`${g.label} ${beforeLabel}: ${g.before.toLocaleString()}`}</title>
              </rect>
              <rect x={x + bar + 4} y={plot - ha} width={bar} height={ha} className="bar-after">
                <title>{`${g.label} ${afterLabel}: ${g.after.toLocaleString()}`}</title>
              </rect>
              <text x={x + bar / 2} y={plot - hb - 3} textAnchor="middle" className="axis-label">
                {g.before}
              </text>
              <text x={x + bar * 1.5 + 4} y={plot - ha - 3} textAnchor="middle" className="axis-label">
                {g.after}
              </text>
              <text x={i * slot + slot / 2} y={plot + 16} textAnchor="middle" className="axis-label">
                {g.label}
              </text>
            </g>
          )
        })}
        <g className="legend">
          <rect x={4} y={height - 14} width={10} height={10} className="legend-before" />
          <text x={18} y={height - 5} className="axis-label">
            {beforeLabel}
          </text>
          <rect x={width / 2} y={height - 14} width={10} height={10} className="legend-after" />
          <text x={width / 2 + 14} y={height - 5} className="axis-label">
            {afterLabel}
          </text>
        </g>
      </svg>
    </figure>
  )
}
