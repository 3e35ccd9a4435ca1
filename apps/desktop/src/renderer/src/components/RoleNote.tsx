/** Why the controls nearby are off (the signed-in role does not allow them). */
export function RoleNote({ reason }: { reason: string | null }) {
  if (reason === null) return null
  return (
    <p className="role-note" data-testid="role-note">
      {reason}
    </p>
  )
}
