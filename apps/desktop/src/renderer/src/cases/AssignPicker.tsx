import { useQuery } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { membersQuery } from '../members/members-query.ts'

/** Assign to a teammate: only members who may decide (analysts and admins) are offered. */
export function AssignPicker({ currentId, onAssign, onCancel }: { currentId: string | null; onAssign: (userId: string) => void; onCancel: () => void }) {
  const online = useServerOnline()
  const members = useQuery(membersQuery(online))
  const deciders = (members.data ?? []).filter((m) => m.role !== 'VIEWER')
  const [choice, setChoice] = useState('')
  const selectRef = useRef<HTMLSelectElement>(null)
  useEffect(() => selectRef.current?.focus(), [members.data])
  if (!online) return <p className="muted">The member list needs the server: go online to assign.</p>
  return (
    <form
      className="assign-picker"
      aria-label="Assign"
      onSubmit={(e) => {
        e.preventDefault()
        if (choice !== '') onAssign(choice)
      }}
    >
      <select ref={selectRef} aria-label="Assign to" value={choice} onChange={(e) => setChoice(e.target.value)}>
        <option value="">{members.isPending ? 'Loading members…' : 'Choose an analyst or admin'}</option>
        {deciders.map((m) => (
          <option key={m.userId} value={m.userId} disabled={m.userId === currentId}>
            {m.name ?? m.email ?? m.userId} ({m.role.toLowerCase()})
          </option>
        ))}
      </select>
      <button type="submit" disabled={choice === ''}>
        Assign
      </button>
      <button type="button" className="link" onClick={onCancel}>
        Cancel
      </button>
      {members.isError && <span className="error-text">{members.error.message}</span>}
    </form>
  )
}
