/**
 * How many of each thing one project may hold: generous for real use, small enough that no
 * tenant fills the server. Each is configurable (the variable is named in the 422 a project
 * that reached it gets).
 */
export interface ProjectLimits {
  monitors: number;
  healthchecks: number;
  statusPages: number;
  apiKeys: number;
  channels: number;
  escalationPolicies: number;
}

export const DEFAULT_LIMITS: ProjectLimits = {
  monitors: 10_000,
  healthchecks: 10_000,
  statusPages: 100,
  apiKeys: 100,
  channels: 100,
  escalationPolicies: 100,
};

/** The environment variable of each limit. */
export const LIMIT_VARIABLES: Record<keyof ProjectLimits, string> = {
  monitors: 'VIGIL_LIMIT_MONITORS',
  healthchecks: 'VIGIL_LIMIT_HEALTHCHECKS',
  statusPages: 'VIGIL_LIMIT_STATUS_PAGES',
  apiKeys: 'VIGIL_LIMIT_API_KEYS',
  channels: 'VIGIL_LIMIT_CHANNELS',
  escalationPolicies: 'VIGIL_LIMIT_ESCALATION_POLICIES',
};

export const LIMIT_NOUNS: Record<keyof ProjectLimits, string> = {
  monitors: 'monitors',
  healthchecks: 'healthchecks',
  statusPages: 'status pages',
  apiKeys: 'active API keys',
  channels: 'integrations',
  escalationPolicies: 'escalation policies',
};
