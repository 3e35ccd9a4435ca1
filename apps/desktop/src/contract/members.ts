import type { Role } from './profile.ts'

/** One person of the organisation, as the server's members.list gives them. */
export interface Member {
  userId: string
  name: string | null
  email: string | null
  role: Role
  /** Epoch ms. */
  joinedAt: number
}

export interface AddMemberArgs {
  name: string
  email?: string
  role: Role
}

export interface AddedMember {
  member: Member
  /** Their sign-in token: the server keeps no copy, so the console shows it once. */
  token: string
}
