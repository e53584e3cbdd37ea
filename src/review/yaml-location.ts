import { isMap, isSeq, type LineCounter, type Node } from 'yaml';
import type { InputError } from '../model/errors.js';

/**
 * Where a path of a parsed YAML document is (file, line, column and the dotted path), for the
 * one-line errors of the configuration files (the review policy, the review templates). For an
 * unknown key it points at the key itself; otherwise at the value; failing both, at the nearest
 * node found on the way.
 */
export function yamlLocation(root: unknown, path: (string | number)[], lines: LineCounter, file: string): InputError['location'] {
  let node: unknown = root;
  let found: Node | undefined = isNodeLike(root) ? root : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isNodeLike(p.key) ? (p.key as { value?: unknown }).value : p.key) === key);
      if (!pair) break;
      node = pair.value ?? pair.key;
      found = (isNodeLike(pair.value) ? pair.value : isNodeLike(pair.key) ? pair.key : found) as Node | undefined;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (isNodeLike(node)) found = node;
    } else break;
  }
  const offset = found?.range?.[0];
  const pos = offset !== undefined ? lines.linePos(offset) : undefined;
  return { file, line: pos?.line, column: pos?.col, path: formatYamlPath(path) || undefined };
}

/** `rules[2].name`: the path as the error names it. */
function formatYamlPath(path: (string | number)[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function isNodeLike(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}
