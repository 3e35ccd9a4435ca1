import { useMemo, useState } from 'react'
import { RULE_FIELDS, RULE_FUNCTIONS } from '@anomalyze/shared/engine'

/** What a condition may use: the fields (with their type) and the functions, searchable; a click inserts the name. */
export function FieldReference({ onInsert }: { onInsert: (text: string) => void }) {
  const [filter, setFilter] = useState('')
  const needle = filter.trim().toLowerCase()
  const fields = useMemo(() => RULE_FIELDS.filter((f) => needle === '' || `${f.name} ${f.description}`.toLowerCase().includes(needle)), [needle])
  const functions = useMemo(() => RULE_FUNCTIONS.filter((f) => needle === '' || `${f.signature} ${f.description}`.toLowerCase().includes(needle)), [needle])
  return (
    <aside className="rule-reference" aria-label="Fields and functions" data-testid="rule-reference">
      <input
        type="search"
        aria-label="Find a field or function"
        placeholder="Find a field or function"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <h4>Fields</h4>
      <dl>
        {fields.map((f) => (
          <div key={f.name}>
            <dt>
              <button type="button" className="link rule-code" onClick={() => onInsert(f.name)} title="Insert at the end of the condition">
                {f.name}
              </button>{' '}
              <span className="muted">{f.type}</span>
            </dt>
            <dd>{f.description}</dd>
          </div>
        ))}
      </dl>
      <h4>Functions</h4>
      <dl>
        {functions.map((f) => (
          <div key={f.name}>
            <dt>
              <button type="button" className="link rule-code" onClick={() => onInsert(`${f.name}(`)}>
                {f.signature}
              </button>
            </dt>
            <dd>{f.description}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        Operators: <code>+ - * /</code>, <code>&lt; &lt;= &gt; &gt;= == !=</code>, <code>and or not</code>, <code>x in list("name")</code>,{' '}
        <code>x in ("RU", "NG")</code>.
      </p>
    </aside>
  )
}
