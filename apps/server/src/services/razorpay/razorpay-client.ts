import Razorpay from 'razorpay'
import { AppError } from '@anomalyze/shared'
import type { ServerEnv } from '../../env.ts'

/**
 * The few Razorpay calls billing makes, through the official SDK. The SDK hard-codes
 * https://api.razorpay.com as its axios base URL; RAZORPAY_API_BASE_URL replaces it on
 * that axios instance (tests point it at a local stub speaking the same REST API).
 */
export interface RazorpaySubscription {
  id: string
  plan_id: string
  status: string
  short_url?: string | null
  current_start?: number | null
  current_end?: number | null
  notes?: Record<string, string> | unknown[] | null
}

export interface BillingGateway {
  createPlan(input: { name: string; amountMinor: number; currency: string; localPlanId: string }): Promise<{ id: string }>
  createSubscription(input: { razorpayPlanId: string; totalCount: number; notes: Record<string, string> }): Promise<RazorpaySubscription>
  changePlan(subscriptionId: string, razorpayPlanId: string, when: 'now' | 'cycle_end'): Promise<RazorpaySubscription>
  cancel(subscriptionId: string, atCycleEnd: boolean): Promise<RazorpaySubscription>
  fetch(subscriptionId: string): Promise<RazorpaySubscription>
}

/**
 * Hands out the gateway, built once at start-up. It is a function, not the gateway, so
 * that a server without Razorpay keys still starts: billing calls then fail one by one
 * with UNAVAILABLE, after their own checks (unknown plan, nothing to cancel) have run.
 */
export type BillingGatewayProvider = () => BillingGateway

export function createBillingGatewayProvider(env: ServerEnv): BillingGatewayProvider {
  if (env.RAZORPAY_KEY_ID === undefined || env.RAZORPAY_KEY_SECRET === undefined) return () => createBillingGateway(env)
  const gateway = createBillingGateway(env)
  return () => gateway
}

export function createBillingGateway(env: ServerEnv): BillingGateway {
  if (env.RAZORPAY_KEY_ID === undefined || env.RAZORPAY_KEY_SECRET === undefined) {
    throw new AppError('UNAVAILABLE', 'Billing is not configured on this server: set RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET')
  }
  const client = new Razorpay({ key_id: env.RAZORPAY_KEY_ID, key_secret: env.RAZORPAY_KEY_SECRET })
  ;(client.api as unknown as { rq: { defaults: { baseURL?: string } } }).rq.defaults.baseURL = env.RAZORPAY_API_BASE_URL.replace(/\/$/, '')

  const call = async <T>(what: string, run: () => Promise<unknown>): Promise<T> => {
    try {
      return (await run()) as T
    } catch (error) {
      throw gatewayError(what, error)
    }
  }
  return {
    createPlan: (input) =>
      call(`create the Razorpay plan for "${input.localPlanId}"`, () =>
        client.plans.create({
          period: 'monthly',
          interval: 1,
          item: { name: `Anomalyze ${input.name}`, amount: input.amountMinor, currency: input.currency },
          notes: { planId: input.localPlanId },
        }),
      ),
    createSubscription: (input) =>
      call('create the Razorpay subscription', () =>
        client.subscriptions.create({ plan_id: input.razorpayPlanId, total_count: input.totalCount, customer_notify: 1, notes: input.notes }),
      ),
    changePlan: (subscriptionId, razorpayPlanId, when) =>
      call('change the Razorpay subscription plan', () => client.subscriptions.update(subscriptionId, { plan_id: razorpayPlanId, schedule_change_at: when })),
    cancel: (subscriptionId, atCycleEnd) => call('cancel the Razorpay subscription', () => client.subscriptions.cancel(subscriptionId, atCycleEnd)),
    fetch: (subscriptionId) => call('fetch the Razorpay subscription', () => client.subscriptions.fetch(subscriptionId)),
  }
}

/** The SDK rejects with { statusCode, error: { description } }, or a plain Error when unreachable. */
function gatewayError(what: string, error: unknown): AppError {
  const shaped = error as { statusCode?: number; error?: { description?: string } } | null
  if (shaped !== null && typeof shaped === 'object' && typeof shaped.statusCode === 'number') {
    const reason = shaped.error?.description ?? 'no reason given'
    return new AppError('UNAVAILABLE', `Razorpay refused to ${what} (HTTP ${shaped.statusCode}): ${reason}`, { status: shaped.statusCode })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new AppError('UNAVAILABLE', `Could not reach Razorpay to ${what}: ${message}`)
}
