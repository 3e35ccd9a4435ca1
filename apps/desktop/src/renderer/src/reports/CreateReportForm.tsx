import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { ANOMALY_STATUSES, CASE_STATUSES, LABEL_KINDS, SEVERITIES, type AnomalyStatus, type CaseStatus, type LabelKind, type Severity } from '@anomalyze/shared'
import { fieldErrorsOf, useTRPC } from '../api/server-api.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { usePermission } from '../hooks/useProfile.ts'
import { STATUS_LABEL } from '../format.ts'
import { CASE_STATUS_LABEL } from '../cases/case-format.ts'

type Kind = 'ANOMALIES' | 'DECISIONS' | 'CASES' | 'MONTHLY_SUMMARY'

interface Form {
  kind: Kind
  severities: Severity[]
  statuses: AnomalyStatus[]
  labels: LabelKind[]
  caseStatuses: CaseStatus[]
  rule: string
  amountMin: string
  amountMax: string
  /** YYYY-MM-DD, both days included (the server's `to` is exclusive: the day after is sent). */
  from: string
  to: string
  accountId: string
  decidedBy: string
  month: string
}

const lastMonth = (): string => {
  const d = new Date()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() - 1)
  return d.toISOString().slice(0, 7)
}
const EMPTY: Form = {
  kind: 'ANOMALIES',
  severities: [],
  statuses: [],
  labels: [],
  caseStatuses: [],
  rule: '',
  amountMin: '',
  amountMax: '',
  from: '',
  to: '',
  accountId: '',
  decidedBy: '',
  month: lastMonth(),
}

/** First and last day (YYYY-MM-DD) of a "YYYY-MM" month. */
const monthDays = (month: string): { from: string; to: string } => {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return { from: `${month}-01`, to: new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10) }
}
const currentMonth = (): string => new Date().toISOString().slice(0, 7)

const dayAfter = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
const text = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim())
const amount = (value: string): number | undefined => (value.trim() === '' ? undefined : Number(value))
const toggle = <T,>(list: T[], item: T): T[] => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item])

/** Asks the server for a report; the server's field errors show under the fields they name. */
export function CreateReportForm() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [form, setForm] = useState<Form>(EMPTY)
  // Start from where the data is (reports.defaults), not the calendar; once only, and
  // never over what the analyst has already changed.
  const defaults = useQuery(trpc.reports.defaults.queryOptions())
  const touched = useRef(false)
  useEffect(() => {
    const d = defaults.data
    if (d === undefined || touched.current) return
    const dataMonth = d.latestMonth ?? currentMonth()
    const days = monthDays(form.kind === 'DECISIONS' ? (d.decisionsMonth ?? dataMonth) : form.kind === 'CASES' ? (d.casesMonth ?? dataMonth) : dataMonth)
    setForm((current) => ({ ...current, month: dataMonth, ...days }))
  }, [defaults.data, form.kind])
  const runReason = usePermission('reports:run').reason
  const create = useMutation(trpc.reports.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.reports.list.pathFilter()) }))
  const errors = fieldErrorsOf(create.error)
  const set = <K extends keyof Form>(key: K, value: Form[K]): void => {
    // Switching the report type re-applies the defaults; any other change is the analyst's.
    if (key !== 'kind') touched.current = true
    setForm({ ...form, [key]: value })
  }
  const range = { from: text(form.from), to: form.to === '' ? undefined : dayAfter(form.to) }
  const filterError = (name: string): string | undefined => errors[`parameters.filters.${name}`] ?? errors['parameters.filters']

  const submit = (event: FormEvent): void => {
    event.preventDefault()
    if (form.kind === 'ANOMALIES') {
      create.mutate({
        type: 'ANOMALIES',
        format: 'CSV',
        parameters: {
          filters: {
            ...(form.severities.length > 0 ? { severities: form.severities } : {}),
            ...(form.statuses.length > 0 ? { statuses: form.statuses } : {}),
            rule: text(form.rule),
            amountMin: amount(form.amountMin),
            amountMax: amount(form.amountMax),
            accountId: text(form.accountId),
            ...range,
          },
        },
      })
    } else if (form.kind === 'DECISIONS') {
      create.mutate({
        type: 'DECISIONS',
        format: 'CSV',
        parameters: {
          filters: { ...(form.labels.length > 0 ? { labels: form.labels } : {}), decidedBy: text(form.decidedBy), accountId: text(form.accountId), ...range },
        },
      })
    } else if (form.kind === 'CASES') {
      create.mutate({
        type: 'CASES',
        format: 'CSV',
        parameters: { filters: { ...(form.caseStatuses.length > 0 ? { statuses: form.caseStatuses } : {}), ...range } },
      })
    } else {
      create.mutate({ type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: form.month } })
    }
  }

  return (
    <form className="report-form" onSubmit={submit} noValidate data-testid="report-form">
      <Field label="Report" error={errors['type'] ?? errors['format']}>
        <select aria-label="Report type" value={form.kind} onChange={(e) => set('kind', e.target.value as Kind)}>
          <option value="ANOMALIES">Anomalies (CSV)</option>
          <option value="DECISIONS">Analyst decisions (CSV)</option>
          <option value="CASES">Cases with their timelines (CSV)</option>
          <option value="MONTHLY_SUMMARY">Monthly summary (PDF)</option>
        </select>
      </Field>
      {form.kind === 'MONTHLY_SUMMARY' ? (
        <Field label="Month (UTC)" error={errors['parameters.month']}>
          <input type="month" aria-label="Month" value={form.month} onChange={(e) => set('month', e.target.value)} />
        </Field>
      ) : (
        <>
          <div className="report-row">
            <Field label="From (day)" error={filterError('from')}>
              <input type="date" aria-label="From" value={form.from} onChange={(e) => set('from', e.target.value)} />
            </Field>
            <Field label="To (day, included)" error={filterError('to')}>
              <input type="date" aria-label="To" value={form.to} onChange={(e) => set('to', e.target.value)} />
            </Field>
            {form.kind !== 'CASES' && (
              <Field label="Account" error={filterError('accountId')}>
                <input aria-label="Account" value={form.accountId} onChange={(e) => set('accountId', e.target.value)} placeholder="any" />
              </Field>
            )}
          </div>
          {form.kind === 'CASES' ? (
            <Checks
              label="Case status"
              options={CASE_STATUSES}
              chosen={form.caseStatuses}
              name={(s) => CASE_STATUS_LABEL[s]}
              onToggle={(s) => set('caseStatuses', toggle(form.caseStatuses, s))}
              error={filterError('statuses')}
            />
          ) : form.kind === 'ANOMALIES' ? (
            <>
              <Checks
                label="Severity"
                options={SEVERITIES}
                chosen={form.severities}
                name={(s) => s}
                onToggle={(s) => set('severities', toggle(form.severities, s))}
                error={filterError('severities')}
              />
              <Checks
                label="Status"
                options={ANOMALY_STATUSES}
                chosen={form.statuses}
                name={(s) => STATUS_LABEL[s]}
                onToggle={(s) => set('statuses', toggle(form.statuses, s))}
                error={filterError('statuses')}
              />
              <div className="report-row">
                <Field label="Rule" error={filterError('rule')}>
                  <input aria-label="Rule" value={form.rule} onChange={(e) => set('rule', e.target.value)} placeholder="e.g. AMOUNT_SPIKE" />
                </Field>
                <Field label="Amount from" error={filterError('amountMin')}>
                  <input aria-label="Amount from" inputMode="decimal" value={form.amountMin} onChange={(e) => set('amountMin', e.target.value)} size={8} />
                </Field>
                <Field label="Amount to" error={filterError('amountMax')}>
                  <input aria-label="Amount to" inputMode="decimal" value={form.amountMax} onChange={(e) => set('amountMax', e.target.value)} size={8} />
                </Field>
              </div>
            </>
          ) : (
            <>
              <Checks
                label="Decision"
                options={LABEL_KINDS}
                chosen={form.labels}
                name={(s) => STATUS_LABEL[s]}
                onToggle={(s) => set('labels', toggle(form.labels, s))}
                error={filterError('labels')}
              />
              <Field label="Decided by" error={filterError('decidedBy')}>
                <input aria-label="Decided by" value={form.decidedBy} onChange={(e) => set('decidedBy', e.target.value)} placeholder="anyone" />
              </Field>
            </>
          )}
        </>
      )}
      {create.isError && Object.keys(errors).length === 0 && (
        <p className="error-text" role="alert">
          {create.error.message}
        </p>
      )}
      <div>
        <button type="submit" disabled={create.isPending || runReason !== null} title={runReason ?? undefined}>
          {create.isPending ? 'Requesting…' : 'Create report'}
        </button>
        <RoleNote reason={runReason} />
        {create.isSuccess && <span className="muted"> Queued: it appears below and updates as it runs.</span>}
      </div>
    </form>
  )
}

function Field({ label, error, children }: { label: string; error: string | undefined; children: ReactNode }) {
  return (
    <label className="field">
      <span className="muted">{label}</span>
      {children}
      {error !== undefined && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </label>
  )
}

function Checks<T extends string>(props: {
  label: string
  options: readonly T[]
  chosen: T[]
  name: (t: T) => string
  onToggle: (t: T) => void
  error: string | undefined
}) {
  return (
    <fieldset className="report-checks">
      <legend>
        {props.label} <span className="muted">(none: all)</span>
      </legend>
      {props.options.map((option) => (
        <label key={option} className="check">
          <input type="checkbox" checked={props.chosen.includes(option)} onChange={() => props.onToggle(option)} /> {props.name(option)}
        </label>
      ))}
      {props.error !== undefined && (
        <span className="field-error" role="alert">
          {props.error}
        </span>
      )}
    </fieldset>
  )
}
