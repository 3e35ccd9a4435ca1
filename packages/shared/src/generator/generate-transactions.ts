import { createRandom, type Random } from '../random.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'

/**
 * Synthetic, labelled card transactions for the demo account and for tests.
 *
 * The design follows the simulator of the Fraud Detection Handbook (Le Borgne et al.,
 * chapter 3), whose real files the benchmarks use, so what the product learns on
 * generated data carries over:
 * - customers live at a point on a 100x100 grid and buy at terminals within a radius,
 *   with their own mean amount and transactions-per-day rate;
 * - purchases follow a daily rhythm centred on midday;
 * - three fraud patterns: large amounts; compromised terminals (every card used there
 *   is defrauded for four weeks); compromised cards (a third of a customer's
 *   purchases for two weeks, with amounts five times the usual).
 * - optionally, "noisy" merchants whose large legitimate sales look suspicious: the
 *   false-positive pattern that analyst feedback should teach the model to ignore.
 */
export interface GeneratorOptions {
  seed?: number
  customers?: number
  terminals?: number
  days?: number
  /** First day, as an ISO date (UTC midnight). */
  startDate?: string
  /** Merchants whose legitimate sales are large (a false-positive pattern). */
  noisyMerchants?: number
  /** Prefix for txIds, so several generated sets can share one account. */
  txIdPrefix?: string
}

export type FraudScenario = 'NONE' | 'LARGE_AMOUNT' | 'COMPROMISED_TERMINAL' | 'COMPROMISED_CARD'

export interface GeneratedTransaction {
  transaction: TTransaction
  isFraud: boolean
  scenario: FraudScenario
}

interface Customer {
  id: string
  x: number
  y: number
  meanAmount: number
  sdAmount: number
  meanPerDay: number
  terminals: Terminal[]
}

interface Terminal {
  id: string
  x: number
  y: number
  category: string
  noisy: boolean
}

const DAY_MS = 86_400_000
const CATEGORIES = ['grocery', 'fuel', 'restaurant', 'electronics', 'travel', 'pharmacy', 'apparel', 'online']
const CHANNELS = ['card_present', 'card_present', 'card_present', 'ecommerce', 'contactless']
const LARGE_AMOUNT_THRESHOLD = 220
const TERMINAL_COMPROMISE_DAYS = 28
const CARD_COMPROMISE_DAYS = 14

export function* generateTransactions(options: GeneratorOptions = {}): Generator<GeneratedTransaction> {
  const {
    seed = 1,
    customers: customerCount = 500,
    terminals: terminalCount = 1_000,
    days = 30,
    startDate = '2026-01-01',
    noisyMerchants = 0,
    txIdPrefix = 'tx',
  } = options
  const random = createRandom(seed)
  const start = Date.parse(`${startDate}T00:00:00Z`)
  if (Number.isNaN(start)) throw new Error(`startDate must be YYYY-MM-DD, got "${startDate}"`)

  const terminals = makeTerminals(random, terminalCount, noisyMerchants)
  const customers = makeCustomers(random, customerCount, terminals)
  // Day index until which a terminal or card stays compromised.
  const terminalCompromisedUntil = new Map<string, number>()
  const cardCompromisedUntil = new Map<string, number>()
  let sequence = 0

  for (let day = 0; day < days; day += 1) {
    // The handbook compromises 2 of 10,000 terminals and 3 of 5,000 cards a day;
    // keep those rates whatever the population size.
    for (let i = poisson(random, (2 * terminals.length) / 10_000); i > 0; i -= 1) {
      terminalCompromisedUntil.set(random.pick(terminals).id, day + TERMINAL_COMPROMISE_DAYS)
    }
    for (let i = poisson(random, (3 * customers.length) / 5_000); i > 0; i -= 1) {
      cardCompromisedUntil.set(random.pick(customers).id, day + CARD_COMPROMISE_DAYS)
    }

    const today: GeneratedTransaction[] = []
    for (const customer of customers) {
      if (customer.terminals.length === 0) continue
      const count = poisson(random, customer.meanPerDay)
      for (let n = 0; n < count; n += 1) {
        const secondOfDay = Math.round(random.normal(43_200, 20_000))
        if (secondOfDay < 0 || secondOfDay >= 86_400) continue
        const terminal = random.pick(customer.terminals)
        let amount = Math.max(0.5, random.normal(customer.meanAmount, customer.sdAmount))
        if (terminal.noisy && random.next() < 0.5) amount = customer.meanAmount * (4 + random.next() * 4)
        let scenario: FraudScenario = 'NONE'
        if ((cardCompromisedUntil.get(customer.id) ?? -1) > day && random.next() < 1 / 3) {
          amount *= 5
          scenario = 'COMPROMISED_CARD'
        }
        if ((terminalCompromisedUntil.get(terminal.id) ?? -1) > day) scenario = 'COMPROMISED_TERMINAL'
        if (amount > LARGE_AMOUNT_THRESHOLD && !terminal.noisy) scenario = 'LARGE_AMOUNT'
        today.push({
          transaction: {
            txId: '',
            timestamp: start + day * DAY_MS + secondOfDay * 1000,
            amount: Math.round(amount * 100) / 100,
            currency: 'INR',
            accountId: customer.id,
            merchantId: terminal.id,
            category: terminal.category,
            country: 'IN',
            channel: random.pick(CHANNELS),
            latitude: round4(8 + terminal.y * 0.25),
            longitude: round4(70 + terminal.x * 0.25),
          },
          isFraud: scenario !== 'NONE',
          scenario,
        })
      }
    }
    today.sort((a, b) => a.transaction.timestamp - b.transaction.timestamp)
    for (const item of today) {
      sequence += 1
      item.transaction.txId = `${txIdPrefix}_${String(sequence).padStart(8, '0')}`
      yield item
    }
  }
}

function makeTerminals(random: Random, count: number, noisy: number): Terminal[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `T${String(i).padStart(5, '0')}`,
    x: random.next() * 100,
    y: random.next() * 100,
    category: random.pick(CATEGORIES),
    noisy: i < noisy,
  }))
}

function makeCustomers(random: Random, count: number, terminals: Terminal[]): Customer[] {
  // A grid index keeps "terminals within radius 5" linear in the number of customers.
  const cells = new Map<string, Terminal[]>()
  for (const t of terminals) {
    const key = `${Math.floor(t.x / 5)},${Math.floor(t.y / 5)}`
    cells.set(key, [...(cells.get(key) ?? []), t])
  }
  return Array.from({ length: count }, (_, i) => {
    const x = random.next() * 100
    const y = random.next() * 100
    const nearby: Terminal[] = []
    for (let cx = Math.floor(x / 5) - 1; cx <= Math.floor(x / 5) + 1; cx += 1) {
      for (let cy = Math.floor(y / 5) - 1; cy <= Math.floor(y / 5) + 1; cy += 1) {
        for (const t of cells.get(`${cx},${cy}`) ?? []) {
          if (Math.hypot(t.x - x, t.y - y) <= 5) nearby.push(t)
        }
      }
    }
    const meanAmount = 5 + random.next() * 95
    return {
      id: `C${String(i).padStart(5, '0')}`,
      x,
      y,
      meanAmount,
      sdAmount: meanAmount / 2,
      meanPerDay: random.next() * 4,
      terminals: nearby,
    }
  })
}

/** Knuth's method: fine for the small rates used here (at most 4 a day). */
function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean)
  let k = 0
  let p = random.next()
  while (p > limit) {
    k += 1
    p *= random.next()
  }
  return k
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000
}
