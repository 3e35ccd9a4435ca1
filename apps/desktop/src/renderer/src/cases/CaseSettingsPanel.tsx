import { DEFAULT_CASE_SLA_MINUTES, MAX_SLA_MINUTES, MIN_SLA_MINUTES, SEVERITIES, type Severity, type TCaseSettings } from '@anomalyze/shared'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { Member } from '../../../contract/members.ts'
import { callServer } from '../api/server-call.ts'
import { usePermission } from '../hooks/useProfile.ts'

const SETTINGS_KEY = ['caseSettings.get'] as const

/** Minutes as a person reads them: "4 h", "3 d", "90 min". */
function readable(minutes: number): string {
  if (minutes % 1_440 === 0) return `${minutes / 1_440} d`
  if (minutes % 60 === 0) return `${minutes / 60} h`
  return `${minutes} min`
}

/**
 * Case settings (a section of Members): the SLA per priority and round-robin for admins,
 * and who is on duty. Admins put anyone on or off duty; an analyst only themself;
 * viewers read.
 */
export function CaseSettingsPanel({ members }: { members: Member[] }) {
  const manage = usePermission('cases:manage')
  const work = usePermission('cases:work')
  const me = manage.profile?.id ?? null
  const queryClient = useQueryClient()
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => callServer<TCaseSettings>('query', 'caseSettings.get') })
  const [sla, setSla] = useState<Record<Severity, string>>(
    () => Object.fromEntries(SEVERITIES.map((s) => [s, String(DEFAULT_CASE_SLA_MINUTES[s])])) as Record<Severity, string>,
  )
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (settings.data !== undefined)
      setSla(Object.fromEntries(SEVERITIES.map((s) => [s, String(settings.data.sla[s] ?? DEFAULT_CASE_SLA_MINUTES[s])])) as Record<Severity, string>)
  }, [settings.data])
  const onDone = {
    onMutate: () => {
      setError(null)
      setSaved(false)
    },
    onError: (e: Error) => setError(e.message),
    onSuccess: (next: TCaseSettings) => {
      queryClient.setQueryData(SETTINGS_KEY, next)
      setSaved(true)
    },
  }
  const update = useMutation({
    mutationFn: (input: { sla?: Partial<Record<Severity, number>>; roundRobin?: boolean }) =>
      callServer<TCaseSettings>('mutation', 'caseSettings.update', input),
    ...onDone,
  })
  const duty = useMutation({
    mutationFn: (input: { userId: string; onDuty: boolean }) => callServer<TCaseSettings>('mutation', 'caseSettings.setOnDuty', input),
    ...onDone,
  })

  const s = settings.data
  const onDuty = new Set(s?.onDuty.map((p) => p.id) ?? [])
  const saveSla = (): void => {
    const out: Partial<Record<Severity, number>> = {}
    for (const sev of SEVERITIES) {
      const n = Number(sla[sev])
      if (!Number.isInteger(n) || n < MIN_SLA_MINUTES || n > MAX_SLA_MINUTES) {
        setError(`SLA for ${sev}: a whole number of minutes from ${MIN_SLA_MINUTES} to ${MAX_SLA_MINUTES.toLocaleString()}`)
        return
      }
      out[sev] = n
    }
    update.mutate({ sla: out })
  }
  return (
    <section className="case-settings" aria-label="Case settings" data-testid="case-settings">
      <h3>Cases</h3>
      {settings.isError && <p className="error-box">{settings.error.message}</p>}
      {error !== null && (
        <p className="error-box" role="alert" data-testid="case-settings-error">
          {error}
        </p>
      )}
      {saved && (
        <p className="muted" role="status">
          Saved.
        </p>
      )}
      {s !== undefined && (
        <>
          <form
            className="sla-form"
            aria-label="SLA per priority"
            onSubmit={(e) => {
              e.preventDefault()
              saveSla()
            }}
          >
            <span className="muted">Time to close a case, by its priority (minutes):</span>
            {SEVERITIES.map((sev) => (
              <label key={sev}>
                <span className={`badge sev-${sev}`}>{sev}</span>{' '}
                <input
                  type="number"
                  aria-label={`SLA minutes ${sev}`}
                  min={MIN_SLA_MINUTES}
                  max={MAX_SLA_MINUTES}
                  value={sla[sev]}
                  disabled={!manage.allowed}
                  onChange={(e) => setSla((old) => ({ ...old, [sev]: e.target.value }))}
                />{' '}
                <span className="muted">{Number.isFinite(Number(sla[sev])) && Number(sla[sev]) > 0 ? readable(Number(sla[sev])) : ''}</span>
              </label>
            ))}
            {manage.allowed && (
              <button type="submit" disabled={update.isPending}>
                Save SLA
              </button>
            )}
          </form>
          <label className="check">
            <input
              type="checkbox"
              checked={s.roundRobin}
              disabled={!manage.allowed || update.isPending}
              onChange={(e) => update.mutate({ roundRobin: e.target.checked })}
            />{' '}
            Give new cases in turn to the analysts on duty (round-robin)
          </label>
          <table className="reports-table" aria-label="On duty">
            <thead>
              <tr>
                <th>Member</th>
                <th>On duty</th>
              </tr>
            </thead>
            <tbody>
              {members
                .filter((m) => m.role !== 'VIEWER')
                .map((m) => {
                  const mayToggle = manage.allowed || (work.allowed && m.userId === me)
                  return (
                    <tr key={m.userId} data-testid="duty-row">
                      <td>
                        {m.name ?? m.email ?? m.userId}
                        {m.userId === me && <span className="muted"> (you)</span>}
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`${m.name ?? m.userId} on duty`}
                          checked={onDuty.has(m.userId)}
                          disabled={!mayToggle || duty.isPending}
                          onChange={(e) => duty.mutate({ userId: m.userId, onDuty: e.target.checked })}
                        />
                      </td>
                    </tr>
                  )
                })}
            </tbody>
          </table>
        </>
      )}
      {/* Its own test id: the Members view's role note stays the one "role-note" on the page. */}
      {!manage.allowed && (
        <p className="role-note" data-testid="case-settings-role-note">
          {manage.reason}
        </p>
      )}
    </section>
  )
}
