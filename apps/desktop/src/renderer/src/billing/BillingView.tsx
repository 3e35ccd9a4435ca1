import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { fieldErrorsOf, useTRPC } from '../api/server-api.ts'
import { formatDay } from '../format.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { usePermission } from '../hooks/useProfile.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { formatMinor, quotaPercent } from './money.ts'

const STATUS_TEXT = { PENDING: 'Waiting for payment', ACTIVE: 'Active', HALTED: 'Payment failed (halted)', CANCELED: 'Canceled' } as const

/**
 * Billing (view 7): the plan in force, usage against its quota this month, invoices,
 * and upgrade / cancel. Paying happens on Razorpay's hosted page (the short URL the
 * server returns); the plan changes here once Razorpay's webhook confirms it.
 */
export function BillingView() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const online = useServerOnline()
  const overview = useQuery({ ...trpc.billing.overview.queryOptions(), enabled: online, refetchInterval: 15_000 })
  const invoices = useQuery({ ...trpc.billing.invoices.queryOptions(), enabled: online, refetchInterval: 15_000 })
  const [gstin, setGstin] = useState('')
  const manageReason = usePermission('billing:manage').reason
  const refresh = (): void => {
    void queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() })
  }
  const openCheckout = (url: string | null): void => {
    if (url !== null) window.open(url, '_blank', 'noopener')
  }
  const subscribe = useMutation(
    trpc.billing.subscribe.mutationOptions({
      onSuccess: (r) => {
        openCheckout(r.shortUrl)
        refresh()
      },
    }),
  )
  const change = useMutation(
    trpc.billing.changePlan.mutationOptions({
      onSuccess: (r) => {
        openCheckout(r.shortUrl)
        refresh()
      },
    }),
  )
  const cancel = useMutation(trpc.billing.cancel.mutationOptions({ onSuccess: refresh }))
  const download = useMutation(trpc.billing.invoiceDownload.mutationOptions({ onSuccess: (link) => window.open(link.url, '_blank', 'noopener') }))

  if (!online)
    return (
      <p className="empty-box" data-testid="billing-offline">
        Billing lives on the server: sign in and go online to see your plan and invoices.
      </p>
    )
  if (overview.isError)
    return (
      <p className="error-box" role="alert">
        {overview.error.message}
      </p>
    )
  if (overview.data === undefined) return <p className="empty-box">Loading billing…</p>

  const { entitlements, subscription, usage, plans, billingConfigured } = overview.data
  const paidRunning = subscription !== null && subscription.paid && subscription.status === 'ACTIVE'
  const busy = subscribe.isPending || change.isPending || cancel.isPending
  const gstinError = fieldErrorsOf(subscribe.error)['gstin']
  const actionError = [subscribe.error, change.error, cancel.error, download.error].find((e) => e !== null && fieldErrorsOf(e)['gstin'] === undefined)

  return (
    <section className="billing-view" data-testid="billing-view">
      <h2>Billing</h2>
      <div className="billing-summary">
        <div>
          <div className="muted">Plan in force</div>
          <strong data-testid="billing-plan">{entitlements.planName}</strong>
          {subscription !== null && (
            <span className={`billing-status status-${subscription.status}`} data-testid="billing-status">
              {' '}
              {STATUS_TEXT[subscription.status]}
            </span>
          )}
        </div>
        {subscription?.status === 'PENDING' && subscription.shortUrl !== null && (
          <div>
            <div className="muted">{subscription.planName} checkout</div>
            <button type="button" onClick={() => openCheckout(subscription.shortUrl)}>
              Open payment page
            </button>
          </div>
        )}
        {subscription?.currentPeriodEnd != null && (
          <div>
            <div className="muted">{subscription.cancelAtPeriodEnd ? 'Ends on' : 'Renews on'}</div>
            {formatDay(subscription.currentPeriodEnd)}
          </div>
        )}
        {subscription?.pendingPlanId != null && (
          <div>
            <div className="muted">Switches to</div>
            {subscription.pendingPlanId} at period end
          </div>
        )}
        {subscription?.graceUntil != null && (
          <div className="error-text">
            Payment failed: paid features {subscription.graceUntil > Date.now() ? 'end' : 'ended'} on {formatDay(subscription.graceUntil)}. Pay again to keep
            them.
          </div>
        )}
      </div>

      <h3>Usage this month</h3>
      <div className="billing-usage">
        <label>
          Transactions ingested: <strong data-testid="billing-usage">{usage.transactions.toLocaleString()}</strong> of {usage.monthlyTxQuota.toLocaleString()}
          <progress max={100} value={quotaPercent(usage.transactions, usage.monthlyTxQuota)} aria-label="Transactions against quota" />
        </label>
        <label>
          API keys: <strong>{usage.apiKeys}</strong> of {usage.maxApiKeys}
          <progress max={100} value={quotaPercent(usage.apiKeys, usage.maxApiKeys)} aria-label="API keys against limit" />
        </label>
        <span className="muted">
          {usage.requests.toLocaleString()} API requests since {formatDay(usage.periodStart)}
        </span>
      </div>

      <h3>Plans</h3>
      <RoleNote reason={manageReason} />
      {!billingConfigured && <p className="muted">Payments are not configured on this server (RAZORPAY_KEY_ID / RAZORPAY_KEY_SECRET).</p>}
      <label className="billing-gstin">
        GSTIN for invoices (optional)
        <input value={gstin} onChange={(e) => setGstin(e.target.value)} placeholder="29ABCDE1234F1Z5" aria-invalid={gstinError !== undefined} />
        {gstinError !== undefined && <span className="error-text">{gstinError}</span>}
      </label>
      <table className="billing-plans" aria-label="Plans">
        <thead>
          <tr>
            <th>Plan</th>
            <th className="num">Price / month</th>
            <th className="num">Transactions</th>
            <th className="num">API keys</th>
            <th>Retention</th>
            <th>Includes</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {plans.map((plan) => {
            const current = plan.id === entitlements.planId
            return (
              <tr key={plan.id} data-testid="billing-plan-row" aria-current={current ? 'true' : undefined}>
                <td>
                  <strong>{plan.name}</strong>
                  {current && <span className="muted"> (current)</span>}
                </td>
                <td className="num">{plan.priceMinor === 0 ? 'Free' : formatMinor(plan.priceMinor, plan.currency)}</td>
                <td className="num">{plan.monthlyTxQuota.toLocaleString()}</td>
                <td className="num">{plan.maxApiKeys}</td>
                <td>{plan.retentionDays} days</td>
                <td className="muted">
                  {Object.entries(plan.features)
                    .filter(([, on]) => on)
                    .map(([flag]) => flag.replace(/_/g, ' '))
                    .join(', ')}
                </td>
                <td>
                  {!current && plan.priceMinor > 0 && billingConfigured && (
                    <button
                      type="button"
                      disabled={busy || manageReason !== null}
                      title={manageReason ?? undefined}
                      onClick={() =>
                        paidRunning
                          ? change.mutate({ planId: plan.id })
                          : subscribe.mutate({ planId: plan.id, ...(gstin.trim() === '' ? {} : { gstin: gstin.trim() }) })
                      }
                    >
                      {paidRunning ? `Switch to ${plan.name}` : `Upgrade to ${plan.name}`}
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {subscription !== null && subscription.paid && subscription.status !== 'CANCELED' && (
        <div className="actions">
          {subscription.status === 'ACTIVE' && !subscription.cancelAtPeriodEnd && (
            <button
              type="button"
              disabled={busy || manageReason !== null}
              title={manageReason ?? undefined}
              onClick={() => cancel.mutate({ atPeriodEnd: true })}
            >
              Cancel at period end
            </button>
          )}
          <button
            type="button"
            disabled={busy || manageReason !== null}
            title={manageReason ?? undefined}
            className="act-fraud"
            onClick={() => {
              if (window.confirm('Cancel now? Paid features stop immediately.')) cancel.mutate({ atPeriodEnd: false })
            }}
          >
            Cancel now
          </button>
        </div>
      )}
      {actionError != null && (
        <p className="error-text" role="alert">
          {actionError.message}
        </p>
      )}

      <h3>Invoices</h3>
      {invoices.isError && (
        <p className="error-text" role="alert">
          {invoices.error.message}
        </p>
      )}
      {invoices.data !== undefined && invoices.data.length === 0 && <p className="muted">No invoices yet: one is issued with each payment.</p>}
      {invoices.data !== undefined && invoices.data.length > 0 && (
        <table className="reports-table" aria-label="Invoices">
          <thead>
            <tr>
              <th>Number</th>
              <th>Issued</th>
              <th>Period</th>
              <th className="num">Amount</th>
              <th className="num">GST</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {invoices.data.map((invoice) => (
              <tr key={invoice.id} data-testid="invoice-row">
                <td>{invoice.number}</td>
                <td className="muted">{formatDay(invoice.issuedAt)}</td>
                <td className="muted">
                  {invoice.periodStart !== null && invoice.periodEnd !== null ? `${formatDay(invoice.periodStart)} to ${formatDay(invoice.periodEnd)}` : ''}
                </td>
                <td className="num">{formatMinor(invoice.amountMinor, invoice.currency)}</td>
                <td className="num">{formatMinor(invoice.taxMinor, invoice.currency)}</td>
                <td>
                  <button type="button" disabled={download.isPending} onClick={() => download.mutate({ id: invoice.id })}>
                    Download PDF
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
