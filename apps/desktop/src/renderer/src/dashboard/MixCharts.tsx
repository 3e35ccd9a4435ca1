import type { Severity } from '@anomalyze/shared'
import type { Dashboard } from '../../../contract/dashboard.ts'
import { BarPanel } from '../charts/BarPanel.tsx'
import { COUNT_COLOR, SEVERITY_COLOR } from '../charts/chart-colors.ts'

const SEVERITY_NAME: Record<Severity, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', CRITICAL: 'Critical' }

/** Alerts per severity, in the queue's severity colours and named under each bar. */
export function SeverityChart({ mix, onPick }: { mix: Dashboard['severityMix']; onPick: ((severity: Severity) => void) | undefined }) {
  return (
    <BarPanel
      title="Severity mix"
      testId="chart-severity"
      data={mix}
      categoryKey="severity"
      categoryLabel="severity"
      formatCategory={(s) => SEVERITY_NAME[s]}
      series={[{ key: 'count', name: 'Alerts', color: COUNT_COLOR }]}
      colorOf={(row) => SEVERITY_COLOR[row.severity]}
      valueLabel="alerts"
      pick={
        onPick === undefined
          ? undefined
          : { describe: (r) => `${SEVERITY_NAME[r.severity]}: ${r.count} alerts, open in the queue`, onPick: (r) => onPick(r.severity) }
      }
      emptyText="No alerts to chart."
    />
  )
}

/** Model scores in tenths. Not clickable: the queue has no score filter. */
export function ScoreChart({ histogram }: { histogram: Dashboard['scoreHistogram'] }) {
  const rows = histogram.map((b) => ({ range: `${b.from.toFixed(1)}–${b.to.toFixed(1)}`, count: b.count }))
  return (
    <BarPanel
      title="Score distribution"
      testId="chart-score"
      data={rows}
      categoryKey="range"
      categoryLabel="model score"
      series={[{ key: 'count', name: 'Alerts', color: COUNT_COLOR }]}
      valueLabel="alerts"
      emptyText="No scores to chart."
    />
  )
}

/** The rules that fired most: each bar opens the queue on that rule. */
export function TopRulesChart({ rules, onPick }: { rules: Dashboard['topRules']; onPick: ((rule: string) => void) | undefined }) {
  return (
    <BarPanel
      title="Rules that fired most"
      testId="chart-rules"
      data={rules}
      categoryKey="rule"
      categoryLabel="rule"
      series={[{ key: 'count', name: 'Alerts', color: COUNT_COLOR }]}
      horizontal
      height={Math.max(120, 28 * rules.length + 48)}
      valueLabel="alerts"
      pick={onPick === undefined ? undefined : { describe: (r) => `${r.rule}: ${r.count} alerts, open in the queue`, onPick: (r) => onPick(r.rule) }}
      emptyText="No rule fired on these alerts."
    />
  )
}
