import { isRecord } from '../../model/json.js';
import { parseDocument } from 'yaml';
import { InputError } from '../../model/errors.js';

/**
 * Which team an analyst belongs to. Defender and Graph records name the assignee (a display name or
 * UPN) but not the team, so teams come from a mapping file:
 *
 *   teams:
 *     Tier 1:
 *       - "*@tier1.contoso.com"     # glob: * matches any run of characters
 *       - Alex Wilber
 *     Tier 2: [megan.bowen@contoso.com]
 *
 * (the top-level `teams:` key is optional). Matching is case-insensitive; the first team listed wins.
 */
export interface TeamMapping {
  teams: { name: string; patterns: string[] }[];
}

export function parseTeamMapping(text: string, file: string): TeamMapping {
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new InputError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`, { file, ...(line ? { line } : {}) });
  }
  const value: unknown = doc.toJS();
  const root = isRecord(value) && 'teams' in value ? value.teams : value;
  if (!isRecord(root)) throw new InputError(`${file}: teams: expected a mapping of team name to a list of analyst names or patterns`, { file, path: 'teams' });
  const teams: TeamMapping['teams'] = [];
  for (const [name, list] of Object.entries(root)) {
    if (!Array.isArray(list)) throw new InputError(`${file}: teams.${name}: expected a list of analyst names or patterns`, { file, path: `teams.${name}` });
    const patterns: string[] = [];
    list.forEach((p: unknown, i: number) => {
      if (typeof p !== 'string' || p.trim() === '') throw new InputError(`${file}: teams.${name}[${i}]: expected a non-empty string`, { file, path: `teams.${name}[${i}]` });
      patterns.push(p.trim());
    });
    teams.push({ name, patterns });
  }
  return { teams };
}

/** A function from an assignee to its team name (undefined when no pattern matches). */
export function teamResolver(mapping: TeamMapping): (analyst: string | null) => string | undefined {
  const compiled = mapping.teams.map((t) => ({ name: t.name, patterns: t.patterns.map(globToRegExp) }));
  const cache = new Map<string, string | undefined>();
  return (analyst) => {
    if (!analyst) return undefined;
    if (cache.has(analyst)) return cache.get(analyst);
    const team = compiled.find((t) => t.patterns.some((p) => p.test(analyst)))?.name;
    cache.set(analyst, team);
    return team;
  };
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}
