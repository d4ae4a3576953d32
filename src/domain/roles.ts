import type { Role } from './users.ts';

/**
 * Who may do what in a project: the role table (docs/dashboard.md#roles prints it). Members run
 * the project day to day; what outlives a person's membership or reaches outside Vigil — read-write
 * keys, other people's keys, members, alert channels and project settings — is the owners'.
 */
export const ROLE_TABLE = {
  'monitors and pages': {
    owner: true,
    member: true,
    what: 'see the project; create, edit and delete monitors, heartbeat checks, outages, incidents, maintenance windows and status pages',
  },
  'read-only keys': { owner: true, member: true, what: 'create Read-only API keys' },
  'read-write keys': { owner: true, member: false, what: 'create Read & Write API keys' },
  'own keys': { owner: true, member: true, what: 'revoke the API keys one created' },
  'any key': { owner: true, member: false, what: 'revoke anyone’s API keys (and keys made with the CLI)' },
  members: { owner: true, member: false, what: 'invite members, change roles, remove members (a member may leave)' },
  channels: {
    owner: true,
    member: false,
    what: 'add, edit, test and delete alert channels and escalation policies; set the project’s default policy',
  },
  settings: { owner: true, member: false, what: 'change the project’s settings (quorum)' },
} as const satisfies Record<string, Record<Role, boolean> & { what: string }>;

export type Ability = keyof typeof ROLE_TABLE;

export function may(role: Role, action: Ability): boolean {
  return ROLE_TABLE[action][role];
}
