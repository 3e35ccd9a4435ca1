import { lazy, Suspense, useEffect, useState } from 'react'
import type { CaseQueue } from '../../contract/cases.ts'
import type { EntityRefArgs } from '../../contract/entity.ts'
import type { QueueQuery, QueueRow } from '../../contract/queue.ts'
import { AccountMenu } from './components/AccountMenu.tsx'
import { SignInPanel } from './components/SignInPanel.tsx'
import { useConsoleConfig } from './auth/useConsoleConfig.ts'
import { useProfile } from './hooks/useProfile.ts'
import { StatusBar } from './components/StatusBar.tsx'
import { useSyncStatus } from './hooks/useSyncStatus.ts'
import { useDeepLink } from './deep-link/useDeepLink.ts'
import { DEFAULT_QUERY, QueueView, type QueueFocus } from './queue/QueueView.tsx'
import { VIEWS, type ViewId } from './views.ts'

// The queue is the first screen; every other view is its own chunk, loaded when first
// opened, so the first paint parses only what the queue needs.
const ApiKeysView = lazy(async () => ({ default: (await import('./api-keys/ApiKeysView.tsx')).ApiKeysView }))
const AuditView = lazy(async () => ({ default: (await import('./audit/AuditView.tsx')).AuditView }))
const BillingView = lazy(async () => ({ default: (await import('./billing/BillingView.tsx')).BillingView }))
const DashboardView = lazy(async () => ({ default: (await import('./dashboard/DashboardView.tsx')).DashboardView }))
const NotificationsView = lazy(async () => ({ default: (await import('./notifications/NotificationsView.tsx')).NotificationsView }))
const ModelsView = lazy(async () => ({ default: (await import('./models/ModelsView.tsx')).ModelsView }))
const ReportsView = lazy(async () => ({ default: (await import('./reports/ReportsView.tsx')).ReportsView }))
const MembersView = lazy(async () => ({ default: (await import('./members/MembersView.tsx')).MembersView }))
const RulesView = lazy(async () => ({ default: (await import('./rules/RulesView.tsx')).RulesView }))
const CasesView = lazy(async () => ({ default: (await import('./cases/CasesView.tsx')).CasesView }))
const EntityView = lazy(async () => ({ default: (await import('./entity/EntityView.tsx')).EntityView }))
const ScoringView = lazy(async () => ({ default: (await import('./scoring/ScoringView.tsx')).ScoringView }))

export function App() {
  const [view, setView] = useState<ViewId>('queue')
  const [query, setQuery] = useState<QueueQuery>(DEFAULT_QUERY)
  const [skippedSignIn, setSkippedSignIn] = useState(false)
  // Cases: the queue tab and the open case live here, so a case opened from an alert
  // (or an entity) shows in the Cases view, and coming back keeps the analyst's place.
  const [caseQueue, setCaseQueue] = useState<CaseQueue>('mine')
  const [openCaseId, setOpenCaseId] = useState<string | null>(null)
  // The entity view opens over any view (from a case or an alert); Esc goes back to it.
  const [entity, setEntity] = useState<EntityRefArgs | null>(null)
  // "Sign in as someone else": each person signs in with their own token.
  const [signingIn, setSigningIn] = useState(false)
  const status = useSyncStatus()
  const profile = useProfile().data?.profile ?? null
  const clerk = useConsoleConfig().data?.clerkPublishableKey != null
  const [focus, setFocus] = useState<QueueFocus | null>(null)

  const openCase = (id: string | null): void => {
    setOpenCaseId(id)
    if (id !== null) {
      setEntity(null)
      setView('cases')
    }
  }
  // Links (anomalyze:// in Electron, #/anomalies/<id> and #/cases/<id> in a browser). An
  // alert's: the queue, narrowed to the anomaly's account (and its batch), with that
  // anomaly open. A case notice's: the Cases view on All (a case any queue holds), with
  // the case open.
  const deepLink = useDeepLink((found) => {
    setSkippedSignIn(true)
    if (found.kind === 'case') {
      setCaseQueue('all')
      openCase(found.caseId)
      return
    }
    const { anomaly, nonce } = found
    setQuery({ filters: { accountId: anomaly.accountId, ...(anomaly.batchId === null ? {} : { batchId: anomaly.batchId }) }, sort: 'time' })
    setFocus({ key: anomaly.key, nonce })
    setEntity(null)
    setView('queue')
  })
  const openAlert = (row: QueueRow): void => {
    // Like an alert link: the queue narrowed to the alert's account, with it open.
    setQuery({ filters: { accountId: row.accountId }, sort: 'time' })
    setFocus({ key: row.key, nonce: Date.now() })
    setEntity(null)
    setView('queue')
  }

  useEffect(() => {
    const listener = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null
      if (event.ctrlKey || event.metaKey || event.altKey || (target !== null && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return
      // A view that used the key (Cases: 1-5 switch its queues) has marked it handled.
      if (event.defaultPrevented) return
      const match = VIEWS.find((v) => v.key === event.key)
      if (match !== undefined) {
        setEntity(null)
        setView(match.id)
      }
    }
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  const s = status.data
  // First run: nothing cached and no server yet. Once anything is cached the queue
  // is usable offline, signed in or not.
  const firstRun = s !== undefined && !s.signedIn && s.cachedAnomalies === 0 && !skippedSignIn
  const firstSync = s !== undefined && s.signedIn && s.cachedAnomalies === 0 && s.lastSyncedAt === null

  return (
    <div className="app">
      <header className="top-bar">
        <strong className="brand">Anomalyze</strong>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              aria-current={view === v.id ? 'page' : undefined}
              onClick={() => {
                setEntity(null)
                setView(v.id)
              }}
            >
              {v.label} <kbd>{v.key === v.key.toLowerCase() ? v.key : `⇧${v.key}`}</kbd>
            </button>
          ))}
        </nav>
        {profile !== null ? (
          // With Clerk, people change who is signed in through Clerk itself.
          <AccountMenu profile={profile} onSignInAsOther={clerk ? undefined : () => setSigningIn(true)} />
        ) : (
          s !== undefined &&
          !firstRun &&
          !clerk && (
            <button type="button" className="link" onClick={() => setSigningIn(true)} data-testid="sign-in-open">
              Sign in
            </button>
          )
        )}
      </header>
      <main>
        {status.isError && (
          <p className="error-box" role="alert">
            The console's local core is not answering: {status.error.message}
          </p>
        )}
        {deepLink.message !== null && (
          <p className="error-box" role="alert" data-testid="deep-link-message">
            {deepLink.message}{' '}
            <button type="button" className="link" onClick={deepLink.dismiss}>
              Dismiss
            </button>
          </p>
        )}
        {signingIn ? (
          <SignInPanel onDone={() => setSigningIn(false)} onCancel={() => setSigningIn(false)} />
        ) : firstRun && view !== 'score' ? (
          <SignInPanel
            onSkip={() => {
              setSkippedSignIn(true)
              setView('score')
            }}
          />
        ) : firstSync && view === 'queue' ? (
          <p className="empty-box" data-testid="first-sync">
            {s.state === 'syncing' ? 'First sync in progress: the queue appears when the first page is stored.' : (s.error ?? 'Waiting for the first sync.')}
          </p>
        ) : (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            {entity !== null && (
              <EntityView
                key={`${entity.type}:${entity.id}`}
                entity={entity}
                onOpenEntity={setEntity}
                onOpenCase={(id) => openCase(id)}
                onBack={() => setEntity(null)}
              />
            )}
            <div className="view-host" hidden={entity !== null}>
              {view === 'queue' && (
                <QueueView
                  query={query}
                  onQuery={setQuery}
                  active={view === 'queue' && entity === null}
                  focus={focus}
                  onFocused={() => setFocus(null)}
                  onOpenEntity={setEntity}
                  onOpenCase={(id) => openCase(id)}
                />
              )}
              {view === 'cases' && (
                <CasesView
                  active={entity === null}
                  queue={caseQueue}
                  onQueue={setCaseQueue}
                  openId={openCaseId}
                  onOpenCase={openCase}
                  onOpenEntity={setEntity}
                  onOpenAlert={openAlert}
                />
              )}
              {view === 'rules' && <RulesView active={entity === null} onOpenEntity={setEntity} />}
              {view === 'overview' && (
                <DashboardView
                  onOpenQueue={(filters) => {
                    setQuery({ filters, sort: 'severity' })
                    setView('queue')
                  }}
                />
              )}
              {view === 'models' && <ModelsView />}
              {view === 'reports' && <ReportsView />}
              {view === 'alerts' && <NotificationsView />}
              {view === 'billing' && <BillingView />}
              {view === 'audit' && <AuditView />}
              {view === 'members' && <MembersView />}
              {view === 'api-keys' && <ApiKeysView />}
              {view === 'score' && (
                <ScoringView
                  onOpenBatch={(batchId) => {
                    // Only this file's rows, every status: a fresh file has nothing decided yet.
                    setQuery({ filters: { batchId }, sort: 'severity' })
                    setView('queue')
                  }}
                />
              )}
            </div>
          </Suspense>
        )}
      </main>
      <StatusBar />
    </div>
  )
}
