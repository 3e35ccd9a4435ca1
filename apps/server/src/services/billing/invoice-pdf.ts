import PDFDocument from 'pdfkit'
import { formatMinor, type TaxLine } from './gst.ts'

/** Everything printed on an invoice; built from the Invoice row (see invoice-view in invoices.ts). */
export interface InvoiceView {
  number: string
  issuedAt: Date
  currency: string
  seller: { name: string; address: string; gstin: string | null }
  buyer: { name: string; email: string | null; gstin: string | null }
  periodStart: Date | null
  periodEnd: Date | null
  lineItems: { description: string; quantity: number; unitMinor: number; amountMinor: number }[]
  taxableMinor: number
  taxLines: TaxLine[]
  totalMinor: number
  paymentId: string | null
}

const day = (date: Date): string => date.toISOString().slice(0, 10)

/** Renders a one-page A4 tax invoice. Pure apart from pdfkit: the same view gives the same text. */
export function renderInvoicePdf(view: InvoiceView): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${view.number}`, Author: view.seller.name } })
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  const money = (minor: number): string => formatMinor(minor, view.currency)

  doc.fontSize(20).text('Tax Invoice', { align: 'right' })
  doc.fontSize(10).text(`Invoice number: ${view.number}`, { align: 'right' })
  doc.text(`Invoice date: ${day(view.issuedAt)}`, { align: 'right' })
  if (view.periodStart && view.periodEnd) doc.text(`Billing period: ${day(view.periodStart)} to ${day(view.periodEnd)}`, { align: 'right' })
  doc.moveDown()

  const top = doc.y
  doc.fontSize(11).text('Seller', 50, top, { underline: true })
  doc.fontSize(10).text(view.seller.name).text(view.seller.address)
  if (view.seller.gstin) doc.text(`GSTIN: ${view.seller.gstin}`)
  doc.fontSize(11).text('Bill to', 320, top, { underline: true })
  doc.fontSize(10).text(view.buyer.name, 320)
  if (view.buyer.email) doc.text(view.buyer.email, 320)
  doc.text(view.buyer.gstin ? `GSTIN: ${view.buyer.gstin}` : 'GSTIN: not provided (unregistered)', 320)
  doc.x = 50
  doc.moveDown(2)

  const columns = { description: 50, quantity: 330, unit: 380, amount: 470 }
  const row = (cells: [string, string, string, string], bold = false): void => {
    const y = doc.y
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica')
    doc.text(cells[0], columns.description, y, { width: 270 })
    const after = doc.y
    doc.text(cells[1], columns.quantity, y, { width: 40, align: 'right' })
    doc.text(cells[2], columns.unit, y, { width: 85, align: 'right' })
    doc.text(cells[3], columns.amount, y, { width: 75, align: 'right' })
    doc.x = 50
    doc.y = Math.max(after, doc.y) + 4
  }
  row(['Description', 'Qty', 'Unit price', 'Amount'], true)
  for (const item of view.lineItems) row([item.description, String(item.quantity), money(item.unitMinor), money(item.amountMinor)])
  doc.moveDown()
  row(['Taxable value', '', '', money(view.taxableMinor)])
  for (const line of view.taxLines) row([`${line.name} @ ${line.ratePercent}%`, '', '', money(line.amountMinor)])
  row(['Total (tax included)', '', '', money(view.totalMinor)], true)
  doc.moveDown()
  doc.font('Helvetica').fontSize(9)
  if (view.paymentId) doc.text(`Paid through Razorpay, payment ${view.paymentId}.`)
  doc.text('This is a computer-generated invoice and needs no signature.')
  doc.end()
  return done
}
