import type { DayBucket } from '../../../contract/dashboard.ts'
import { BarPanel } from '../charts/BarPanel.tsx'
import { COUNT_COLOR, seriesColor } from '../charts/chart-colors.ts'
import { currencyLabel, formatAmountTick, formatCompact, formatDayTick, formatMoney } from '../charts/chart-format.ts'

interface Props {
  days: DayBucket[]
  currencies: string[]
  /** Opens the queue on one UTC day (midnight, epoch ms). */
  onPickDay: ((day: number) => void) | undefined
}

const AMOUNT_KEY = 'amount:'

/** Alerts per day: each bar opens that day in the queue. */
export function AlertsPerDayChart({ days, onPickDay }: Omit<Props, 'currencies'>) {
  return (
    <BarPanel
      title="Alerts per day (UTC)"
      testId="chart-alerts-per-day"
      data={days}
      categoryKey="day"
      categoryLabel="day (UTC)"
      formatCategory={(day) => formatDayTick(day)}
      series={[{ key: 'anomalies', name: 'Alerts', color: COUNT_COLOR }]}
      valueLabel="alerts"
      pick={
        onPickDay === undefined
          ? undefined
          : { describe: (d) => `${formatDayTick(d.day)}: ${d.anomalies} alerts, open in the queue`, onPick: (d) => onPickDay(d.day) }
      }
      emptyText="No alerts to chart."
    />
  )
}

/**
 * Flagged amount per day, one stacked series per currency: amounts in different
 * currencies are never added into one number. A file without a currency shows "unknown".
 */
export function AmountPerDayChart({ days, currencies, onPickDay }: Props) {
  const rows = days.map((d) => ({ day: d.day, ...Object.fromEntries(currencies.map((c) => [`${AMOUNT_KEY}${c}`, d.amounts[c] ?? 0])) }))
  const only = currencies.length === 1 ? currencies[0] : undefined
  return (
    <BarPanel
      title="Flagged amount per day (UTC)"
      testId="chart-amount-per-day"
      data={rows}
      categoryKey="day"
      categoryLabel="day (UTC)"
      formatCategory={(day) => formatDayTick(day)}
      series={currencies.map((c, i) => ({ key: `${AMOUNT_KEY}${c}`, name: currencyLabel(c), color: seriesColor(i) }))}
      stacked
      valueLabel={only === undefined ? 'amount (per currency)' : `amount (${currencyLabel(only)})`}
      formatValueTick={(n) => (only === undefined ? formatCompact(n) : formatAmountTick(n, only))}
      formatValue={(n, key) => formatMoney(n, key.slice(AMOUNT_KEY.length))}
      pick={
        onPickDay === undefined
          ? undefined
          : { describe: (d) => `${formatDayTick(d.day)}: flagged amounts, open in the queue`, onPick: (d) => onPickDay(d.day) }
      }
      emptyText="No flagged amount to chart."
    />
  )
}
