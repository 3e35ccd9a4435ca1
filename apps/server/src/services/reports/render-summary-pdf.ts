import PDFDocument from 'pdfkit'
import { SEVERITIES } from '@anomalyze/shared'
import type { SummaryFigures } from './summary-figures.ts'

/**
 * The summary as a PDF (pdfkit, built-in Helvetica, charts drawn as vector shapes).
 * Every figure a chart shows is also printed as text, for screen readers, for copy
 * and paste, and so that the document's text can be checked against the database.
 */
export interface SummaryDocument {
  title: string
  periodLabel: string
  generatedAt: Date
  figures: SummaryFigures
}

const SEVERITY_COLOURS: Record<(typeof SEVERITIES)[number], string> = { LOW: '#8fb3d9', MEDIUM: '#e0b84c', HIGH: '#e07b39', CRITICAL: '#c0392b' }
const INK = '#1f2933'
const MUTED = '#6b7280'

export const formatCount = (n: number): string => n.toLocaleString('en-US')
export const formatPercent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`
export const formatAmount = (decimal: string): string => Number(decimal).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** The key figures as lines of text (the PDF and the e-mail both use them). */
export function keyFigureLines(f: SummaryFigures): string[] {
  const decided = f.confirmedFraud + f.falsePositives
  return [
    `Transactions: ${formatCount(f.transactions)}`,
    `Amount total: ${formatAmount(f.amountTotal)}`,
    `Anomalies: ${formatCount(f.anomalies)}${f.transactions > 0 ? ` (${formatPercent(f.anomalies / f.transactions)} of transactions)` : ''}`,
    `Decided by analysts: ${formatCount(decided)} (confirmed fraud ${formatCount(f.confirmedFraud)}, false positives ${formatCount(f.falsePositives)})`,
    `False-positive rate: ${f.falsePositiveRate === null ? 'n/a (no decisions yet)' : formatPercent(f.falsePositiveRate)}`,
    `Models that scored these anomalies: ${modelsLine(f.modelVersions)}`,
  ]
}

/**
 * How a model version is named to a reader: the shipped model's versions are
 * "default@<manifest version>" (model-registry.ts), anomalies stored without a version
 * are 'unknown'.
 */
export function modelVersionLabel(version: string): string {
  if (version === 'default') return 'shipped default model'
  if (version.startsWith('default@')) return `shipped default model ${version.slice('default@'.length)}`
  if (version === 'unknown') return 'model not recorded'
  return `model ${version}`
}

/** "model 1.2.0 (120), shipped default model 1.0.0 (30)", or what stands in for no anomalies. */
function modelsLine(versions: SummaryFigures['modelVersions']): string {
  if (versions.length === 0) return 'none (no anomalies in this period)'
  return versions.map((v) => `${modelVersionLabel(v.version)} (${formatCount(v.count)})`).join(', ')
}

export async function renderSummaryPdf(input: SummaryDocument): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: input.title, Author: 'Anomalyze' } })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  const f = input.figures
  const left = doc.page.margins.left
  const width = doc.page.width - left - doc.page.margins.right

  doc.fillColor(INK).font('Helvetica-Bold').fontSize(20).text(input.title)
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor(MUTED)
    .text(`Period: ${input.periodLabel} (UTC, by transaction time). Generated ${input.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`)
  doc.moveDown()

  heading(doc, 'Key figures')
  doc.font('Helvetica').fontSize(11).fillColor(INK)
  for (const line of keyFigureLines(f)) doc.text(line)
  doc.moveDown()

  heading(doc, `Volume and anomalies per ${f.bucket}`)
  drawVolumeChart(doc, f, left, doc.y, width, 150)
  doc.moveDown()

  heading(doc, 'Severity mix')
  const severityMax = Math.max(1, ...Object.values(f.severities))
  for (const severity of [...SEVERITIES].reverse()) {
    const n = f.severities[severity]
    const share = f.anomalies > 0 ? ` (${formatPercent(n / f.anomalies)})` : ''
    labelledBar(doc, `${severity}: ${formatCount(n)}${share}`, n / severityMax, SEVERITY_COLOURS[severity], left, width)
  }
  doc.moveDown()

  heading(doc, 'Top rules')
  if (f.topRules.length === 0) doc.font('Helvetica').fontSize(10).fillColor(MUTED).text('No rule fired in this period.')
  const ruleMax = Math.max(1, ...f.topRules.map((r) => r.count))
  for (const rule of f.topRules) labelledBar(doc, `${rule.rule}: ${formatCount(rule.count)}`, rule.count / ruleMax, '#5b7db1', left, width)

  doc.addPage()
  heading(doc, 'Model versions that scored this period')
  doc.font('Helvetica').fontSize(10).fillColor(INK)
  if (f.modelVersions.length === 0) doc.text('No anomalies in this period.')
  for (const v of f.modelVersions) doc.text(`${modelVersionLabel(v.version)}: ${formatCount(v.count)} anomalies`)
  doc.moveDown()

  heading(doc, `Figures per ${f.bucket}`)
  doc.font('Helvetica').fontSize(9).fillColor(INK)
  for (const point of f.series) {
    const label = f.bucket === 'day' ? point.start.toISOString().slice(0, 10) : point.start.toISOString().slice(0, 7)
    doc.text(`${label}: transactions ${formatCount(point.transactions)}, anomalies ${formatCount(point.anomalies)}`)
  }
  doc.end()
  return done
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text(text)
  doc.moveDown(0.3)
}

/** A label line followed by a bar whose length is `fraction` of the full width. */
function labelledBar(doc: PDFKit.PDFDocument, label: string, fraction: number, colour: string, left: number, width: number): void {
  doc.font('Helvetica').fontSize(10).fillColor(INK).text(label)
  const y = doc.y + 1
  doc.rect(left, y, width, 6).fill('#eef0f3')
  if (fraction > 0) doc.rect(left, y, Math.max(1, width * fraction), 6).fill(colour)
  doc.y = y + 10
}

/** Transactions as bars (left scale), anomalies as a line (right scale). */
function drawVolumeChart(doc: PDFKit.PDFDocument, f: SummaryFigures, left: number, top: number, width: number, height: number): void {
  const points = f.series
  const plotLeft = left + 40
  const plotWidth = width - 80
  const bottom = top + height
  const maxTx = Math.max(1, ...points.map((p) => p.transactions))
  const maxAn = Math.max(1, ...points.map((p) => p.anomalies))
  doc
    .lineWidth(0.5)
    .strokeColor('#c8ccd2')
    .moveTo(plotLeft, bottom)
    .lineTo(plotLeft + plotWidth, bottom)
    .stroke()
  doc.font('Helvetica').fontSize(7).fillColor(MUTED)
  doc.text(formatCount(maxTx), left, top - 3, { width: 36, align: 'right' })
  doc.text('0', left, bottom - 4, { width: 36, align: 'right' })
  doc.fillColor('#c0392b').text(formatCount(maxAn), plotLeft + plotWidth + 4, top - 3, { width: 36 })
  const step = points.length > 0 ? plotWidth / points.length : plotWidth
  points.forEach((p, i) => {
    const h = (p.transactions / maxTx) * height
    if (h > 0) doc.rect(plotLeft + i * step + step * 0.15, bottom - h, step * 0.7, h).fill('#9fb8d8')
  })
  if (points.length > 0) {
    doc.lineWidth(1.2).strokeColor('#c0392b')
    points.forEach((p, i) => {
      const x = plotLeft + i * step + step / 2
      const y = bottom - (p.anomalies / maxAn) * height
      if (i === 0) doc.moveTo(x, y)
      else doc.lineTo(x, y)
    })
    doc.stroke()
  }
  doc.fontSize(8).fillColor(MUTED)
  const first = points[0]
  const last = points.at(-1)
  if (first && last) {
    const fmt = (d: Date): string => (f.bucket === 'day' ? d.toISOString().slice(5, 10) : d.toISOString().slice(0, 7))
    doc.text(fmt(first.start), plotLeft, bottom + 3, { lineBreak: false })
    doc.text(fmt(last.start), plotLeft + plotWidth - 40, bottom + 3, { width: 40, align: 'right', lineBreak: false })
  }
  doc.fillColor('#5b7db1').text('Bars: transactions (left scale)', plotLeft, bottom + 14, { continued: false, lineBreak: false })
  doc.fillColor('#c0392b').text('Line: anomalies (right scale)', plotLeft + 180, bottom + 14, { lineBreak: false })
  doc.x = left
  doc.y = bottom + 28
}
