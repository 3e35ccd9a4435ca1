import { useMemo, useState } from 'react'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { HistoryTab } from './HistoryTab.tsx'
import { ListsTab } from './ListsTab.tsx'
import { RULES_KEYS, RULES_TABS, type RulesAction, type RulesTab as RulesTabId } from './rule-keys.ts'
import { RulesShortcuts } from './RulesShortcuts.tsx'
import { RulesTab } from './RulesTab.tsx'
import { SuppressedTab } from './SuppressedTab.tsx'

const VIEW_ACTIONS: ReadonlySet<RulesAction> = new Set(['tab1', 'tab2', 'tab3', 'tab4', 'help', 'back'])

interface Props {
  /** False while the entity view covers it: its keys step aside. */
  active: boolean
  onOpenEntity: (ref: EntityRefArgs) => void
}

/**
 * Rules (Shift+R): analysts' rules as data. Tabs: the drafts against the version in
 * force, with the editor, backtests and publishing (1); the versions with their diffs
 * and roll back (2); allow and deny lists (3); the alerts allow lists suppressed (4).
 */
export function RulesView({ active, onOpenEntity }: Props) {
  const online = useServerOnline()
  const [tab, setTab] = useState<RulesTabId>('rules')
  const [help, setHelp] = useState(false)
  const table = useMemo(() => RULES_KEYS.filter((k) => VIEW_ACTIONS.has(k.action) && (k.action !== 'back' || help)), [help])
  useKeyTable(
    table,
    (action) => {
      if (action === 'help' || action === 'back') setHelp((h) => action === 'help' && !h)
      else if (!help) setTab(RULES_TABS[Number(action.slice(3)) - 1]?.id ?? 'rules')
    },
    active,
  )
  const tabActive = active && !help

  return (
    <section className="rules-view" aria-label="Rules" data-testid="rules-view" data-tab={tab}>
      <div className="filter-bar rules-tabs" role="tablist" aria-label="Rules tabs">
        {RULES_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className="case-tab"
            onClick={() => setTab(t.id)}
            data-testid={`rules-tab-${t.id}`}
          >
            {t.label} <kbd>{t.key}</kbd>
          </button>
        ))}
        <span className="muted rules-tabs-hint">
          <kbd>?</kbd> keys
        </span>
      </div>
      {tab === 'rules' ? (
        <RulesTab active={tabActive} online={online} onOpenEntity={onOpenEntity} />
      ) : !online ? (
        <p className="empty-box" data-testid="rules-offline">
          {tab === 'lists' ? 'Lists' : tab === 'history' ? 'Rule versions' : 'Suppressed alerts'} live on the server: sign in and go online to see them.
        </p>
      ) : tab === 'history' ? (
        <HistoryTab active={tabActive} />
      ) : tab === 'lists' ? (
        <ListsTab active={tabActive} />
      ) : (
        <SuppressedTab />
      )}
      {help && <RulesShortcuts onClose={() => setHelp(false)} />}
    </section>
  )
}
