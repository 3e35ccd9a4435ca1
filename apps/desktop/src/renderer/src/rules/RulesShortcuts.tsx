import { ShortcutsOverlay, type ShortcutSections } from '../components/ShortcutsOverlay.tsx'
import { VIEWS, viewKeyLabel } from '../views.ts'
import { RULE_EDITOR_KEYS, RULES_KEYS } from './rule-keys.ts'

const SECTIONS: ShortcutSections = [
  { title: 'Rules view', rows: RULES_KEYS },
  { title: 'Rule editor', rows: RULE_EDITOR_KEYS },
  {
    title: 'Views (here, 1-4 switch the tabs)',
    rows: VIEWS.map((v) => ({ keys: [viewKeyLabel(v.key)], label: v.label })),
  },
]

/** The Rules view's ? overlay: its keys, the editor's, and the view keys. */
export function RulesShortcuts({ onClose }: { onClose: () => void }) {
  return <ShortcutsOverlay sections={SECTIONS} onClose={onClose} />
}
