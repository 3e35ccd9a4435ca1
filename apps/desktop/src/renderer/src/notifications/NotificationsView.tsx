import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { fieldErrorsOf, useTRPC } from '../api/server-api.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { usePermission } from '../hooks/useProfile.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'

/**
 * A server sentence continued after "Saved, but ": its first word lower-cased ("E-mail
 * is …" -> "e-mail is …") unless it is an acronym ("SMS is …" stays).
 */
const continued = (sentence: string): string => (/^[A-Z](?![A-Z])/.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence)

type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'
const SEVERITIES: Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']

interface Form {
  email: string
  phone: string
  emailEnabled: boolean
  smsEnabled: boolean
  phoneEnabled: boolean
  minSeverityForEmail: Severity
  minSeverityForSms: Severity
  minSeverityForCall: Severity
  quietHours: boolean
  quietHoursStart: string
  quietHoursEnd: string
  timeZone: string
  dailyDigest: boolean
  monthlyReportEmail: boolean
}

/**
 * Alert settings (view 6): where alerts go, from which severity, and when not to ring.
 * The server validates; its field errors show under each field. Online only.
 */
export function NotificationsView() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const online = useServerOnline()
  const settings = useQuery({ ...trpc.notifications.settings.queryOptions(), enabled: online })
  const [form, setForm] = useState<Form | null>(null)
  const manageReason = usePermission('notifications:manage').reason
  const test = useMutation(trpc.notifications.sendTest.mutationOptions())
  const save = useMutation(
    trpc.notifications.updateSettings.mutationOptions({
      onSuccess: (saved) => queryClient.setQueryData(trpc.notifications.settings.queryKey(), saved),
    }),
  )

  useEffect(() => {
    const s = settings.data
    if (s === undefined || form !== null) return
    setForm({
      ...s,
      email: s.email ?? '',
      phone: s.phone ?? '',
      quietHours: s.quietHoursStart !== null,
      quietHoursStart: s.quietHoursStart ?? '22:00',
      quietHoursEnd: s.quietHoursEnd ?? '07:00',
    })
  }, [settings.data, form])

  if (!online)
    return (
      <p className="empty-box" data-testid="alerts-offline">
        Alert settings live on the server: sign in and go online to change them.
      </p>
    )
  if (settings.isError)
    return (
      <p className="error-box" role="alert">
        {settings.error.message}
      </p>
    )
  if (form === null) return <p className="empty-box">Loading alert settings…</p>

  const errors = fieldErrorsOf(save.error)
  const set = <K extends keyof Form>(key: K, value: Form[K]): void => setForm({ ...form, [key]: value })
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    save.mutate({
      email: form.email.trim() === '' ? null : form.email.trim(),
      phone: form.phone.trim() === '' ? null : form.phone.replace(/[\s-]/g, ''),
      emailEnabled: form.emailEnabled,
      smsEnabled: form.smsEnabled,
      phoneEnabled: form.phoneEnabled,
      minSeverityForEmail: form.minSeverityForEmail,
      minSeverityForSms: form.minSeverityForSms,
      minSeverityForCall: form.minSeverityForCall,
      quietHoursStart: form.quietHours ? form.quietHoursStart : null,
      quietHoursEnd: form.quietHours ? form.quietHoursEnd : null,
      timeZone: form.timeZone.trim(),
      dailyDigest: form.dailyDigest,
      monthlyReportEmail: form.monthlyReportEmail,
    })
  }
  const severity = (key: 'minSeverityForEmail' | 'minSeverityForSms' | 'minSeverityForCall', label: string) => (
    <Field label={label} error={errors[key]}>
      <select value={form[key]} onChange={(e) => set(key, e.target.value as Severity)} aria-label={label}>
        {SEVERITIES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </Field>
  )

  return (
    <form className="alerts-view" onSubmit={submit} data-testid="alerts-view" noValidate>
      <h2>Alerts</h2>
      <p className="muted">Each anomaly alerts at most once per channel. Past your hourly limit, a burst arrives as one summary.</p>
      <fieldset>
        <legend>E-mail</legend>
        <label className="check">
          <input type="checkbox" checked={form.emailEnabled} onChange={(e) => set('emailEnabled', e.target.checked)} /> E-mail alerts
        </label>
        <Field label="Address" error={errors['email']}>
          <input type="email" value={form.email} onChange={(e) => set('email', e.target.value)} placeholder="analyst@example.com" />
        </Field>
        {severity('minSeverityForEmail', 'From severity')}
      </fieldset>
      <fieldset>
        <legend>Phone</legend>
        <Field label="Number (international, e.g. +919812345678)" error={errors['phone']}>
          <input type="tel" value={form.phone} onChange={(e) => set('phone', e.target.value)} placeholder="+919812345678" />
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.smsEnabled} onChange={(e) => set('smsEnabled', e.target.checked)} /> SMS alerts
        </label>
        {severity('minSeverityForSms', 'SMS from severity')}
        <label className="check">
          <input type="checkbox" checked={form.phoneEnabled} onChange={(e) => set('phoneEnabled', e.target.checked)} /> Voice calls (Pro plan; press a key to
          acknowledge)
        </label>
        {severity('minSeverityForCall', 'Calls from severity')}
      </fieldset>
      <fieldset>
        <legend>Quiet hours (SMS and calls; CRITICAL still rings)</legend>
        <label className="check">
          <input type="checkbox" checked={form.quietHours} onChange={(e) => set('quietHours', e.target.checked)} /> Hold SMS and calls at night
        </label>
        {form.quietHours && (
          <div className="alerts-row">
            <Field label="From" error={errors['quietHoursStart']}>
              <input value={form.quietHoursStart} onChange={(e) => set('quietHoursStart', e.target.value)} placeholder="22:00" size={6} />
            </Field>
            <Field label="To" error={errors['quietHoursEnd']}>
              <input value={form.quietHoursEnd} onChange={(e) => set('quietHoursEnd', e.target.value)} placeholder="07:00" size={6} />
            </Field>
          </div>
        )}
        <Field label="Time zone (IANA, e.g. Asia/Kolkata)" error={errors['timeZone']}>
          <input value={form.timeZone} onChange={(e) => set('timeZone', e.target.value)} />
        </Field>
      </fieldset>
      <fieldset>
        <legend>Summaries</legend>
        <label className="check">
          <input type="checkbox" checked={form.dailyDigest} onChange={(e) => set('dailyDigest', e.target.checked)} /> Daily digest e-mail (08:00 in your time
          zone)
        </label>
        <label className="check">
          <input type="checkbox" checked={form.monthlyReportEmail} onChange={(e) => set('monthlyReportEmail', e.target.checked)} /> E-mail the monthly report
        </label>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={save.isPending || manageReason !== null} title={manageReason ?? undefined}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        <RoleNote reason={manageReason} />
        {save.isSuccess && save.data.warnings.length === 0 && (
          <span className="muted" data-testid="alerts-saved">
            Saved.
          </span>
        )}
        {save.isSuccess &&
          save.data.warnings.map((warning) => (
            <span key={warning.channel} className="error-text" role="alert" data-testid="alerts-channel-warning" data-channel={warning.channel}>
              Saved, but {continued(warning.message)}
            </span>
          ))}
        {save.isError && Object.keys(errors).length === 0 && (
          <span className="error-text" role="alert">
            {save.error.message}
          </span>
        )}
      </div>
      <div className="actions" aria-label="Send a test">
        <span className="muted">Send a test to the saved settings:</span>
        {(['EMAIL', 'SMS', 'VOICE'] as const).map((channel) => (
          <button
            key={channel}
            type="button"
            disabled={test.isPending || manageReason !== null}
            title={manageReason ?? undefined}
            onClick={() => test.mutate({ channel })}
          >
            {channel === 'EMAIL' ? 'E-mail' : channel === 'SMS' ? 'SMS' : 'Call'}
          </button>
        ))}
        {test.isSuccess && (
          <span className="muted" data-testid="alerts-test-sent">
            Sent.
          </span>
        )}
        {test.isError && (
          <span className="error-text" role="alert">
            {test.error.message}
          </span>
        )}
      </div>
    </form>
  )
}

function Field({ label, error, children }: { label: string; error: string | undefined; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {error !== undefined && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </label>
  )
}
