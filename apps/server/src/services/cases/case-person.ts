/** How a person is shown in case settings and notices: their name, else their e-mail, else their id. */
export function personName(userId: string, user: { name: string | null; email: string | null } | null): string {
  return user?.name ?? user?.email ?? userId
}
