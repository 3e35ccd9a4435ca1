/** The console's views with their keys: the top bar, the number-key shortcuts and the ? overlay all read this table. */
export const VIEWS = [
  { id: 'queue', label: 'Queue', key: '1' },
  { id: 'overview', label: 'Overview', key: '2' },
  { id: 'score', label: 'Score a file', key: '3' },
  { id: 'models', label: 'Models', key: '4' },
  { id: 'reports', label: 'Reports', key: '5' },
  { id: 'alerts', label: 'Alerts', key: '6' },
  { id: 'billing', label: 'Billing', key: '7' },
  { id: 'audit', label: 'Audit', key: '8' },
  { id: 'members', label: 'Members', key: '9' },
  { id: 'api-keys', label: 'API keys', key: '0' },
  // The number keys are taken; inside Cases, 1-5 switch its queues.
  { id: 'cases', label: 'Cases', key: 'C' },
  // Shift+R; inside Rules, 1-4 switch its tabs.
  { id: 'rules', label: 'Rules', key: 'R' },
] as const
export type ViewId = (typeof VIEWS)[number]['id']

/** How a view's key is written: an upper-case key is pressed with Shift ("Shift+C"). */
export function viewKeyLabel(key: string): string {
  return key === key.toLowerCase() ? key : `Shift+${key}`
}
