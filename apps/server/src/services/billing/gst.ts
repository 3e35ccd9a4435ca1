/**
 * GST on an amount that already includes it (plan prices are tax-inclusive). Within
 * the seller's state the tax is split CGST + SGST; across states it is IGST. When both
 * GSTINs are known their 2-digit state codes decide; otherwise the configured mode.
 * Pure: amounts in paise, integers only, the parts always add up to the total.
 */
export type TaxMode = 'cgst_sgst' | 'igst'

export interface TaxLine {
  name: 'CGST' | 'SGST' | 'IGST'
  ratePercent: number
  amountMinor: number
}

export interface TaxBreakdown {
  mode: TaxMode
  ratePercent: number
  totalMinor: number
  taxableMinor: number
  taxMinor: number
  lines: TaxLine[]
}

export function splitInclusiveGst(input: {
  totalMinor: number
  ratePercent: number
  defaultMode: TaxMode
  sellerGstin?: string | null | undefined
  buyerGstin?: string | null | undefined
}): TaxBreakdown {
  const { totalMinor, ratePercent } = input
  const mode = taxModeFor(input.defaultMode, input.sellerGstin, input.buyerGstin)
  const taxableMinor = Math.round((totalMinor * 100) / (100 + ratePercent))
  const taxMinor = totalMinor - taxableMinor
  const lines: TaxLine[] =
    mode === 'igst'
      ? [{ name: 'IGST', ratePercent, amountMinor: taxMinor }]
      : [
          { name: 'CGST', ratePercent: ratePercent / 2, amountMinor: Math.floor(taxMinor / 2) },
          { name: 'SGST', ratePercent: ratePercent / 2, amountMinor: taxMinor - Math.floor(taxMinor / 2) },
        ]
  return { mode, ratePercent, totalMinor, taxableMinor, taxMinor, lines }
}

function taxModeFor(defaultMode: TaxMode, sellerGstin?: string | null, buyerGstin?: string | null): TaxMode {
  if (sellerGstin && buyerGstin) return sellerGstin.slice(0, 2) === buyerGstin.slice(0, 2) ? 'cgst_sgst' : 'igst'
  return defaultMode
}

/** GSTIN: 2-digit state code, PAN (10), entity number, "Z", check character. */
export const GSTIN_PATTERN = /^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/

/** "INR 4,999.00" (pdfkit's built-in fonts have no rupee sign). */
export function formatMinor(amountMinor: number, currency: string): string {
  const formatted = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amountMinor / 100)
  return `${currency} ${formatted}`
}
