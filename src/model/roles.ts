/** Who may do what: each role can do everything the roles before it can. */
export const ROLES = ['viewer', 'analyst', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'read incidents, reviews, layers and reports',
  analyst: 'also edit reviews, timelines, findings, action items and answers; import incidents',
  reviewer: 'also submit, approve, return and waive reviews',
  admin: 'also manage users, API tokens, incident access and the review policy',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `minimum` or above it. */
export function roleAllows(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
