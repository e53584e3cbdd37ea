import { useEffect } from 'react';

/**
 * Unsaved changes across the app: editors register while they hold text not yet saved, and
 * leaving (closing the tab, reloading, following a link to another screen) asks first. Drafts are
 * kept in localStorage as well, so even a confirmed departure loses nothing typed.
 */
const dirty = new Set<string>();
let lastHash = window.location.hash;

export const LEAVE_QUESTION = 'You have changes that are not saved yet (drafts are kept in this browser). Leave this screen anyway?';

/** Marks the editor `key` as holding unsaved changes while `isDirty`. */
export function useUnsaved(key: string, isDirty: boolean): void {
  useEffect(() => {
    if (isDirty) dirty.add(key);
    else dirty.delete(key);
    return () => {
      dirty.delete(key);
    };
  }, [key, isDirty]);
}

export function hasUnsaved(): boolean {
  return dirty.size > 0;
}

window.addEventListener('beforeunload', (event) => {
  if (dirty.size === 0) return;
  event.preventDefault();
  // Older browsers show the prompt only when returnValue is set.
  event.returnValue = '';
});

// Registered when this module loads, before the router's listener: a refused departure stops the
// event before the router sees it, and puts the address back without another hashchange.
window.addEventListener('hashchange', (event) => {
  const next = window.location.hash;
  const sameScreen = next === lastHash;
  if (dirty.size > 0 && !sameScreen && !window.confirm(LEAVE_QUESTION)) {
    event.stopImmediatePropagation();
    history.replaceState(null, '', lastHash || '#/');
    return;
  }
  lastHash = next;
});

/** A draft kept in localStorage until it is saved: the text, and what it was based on. */
export interface Draft {
  text: string;
  base: string;
  baseVersion: number;
  savedAt: string;
}

const PREFIX = 'hindsight.draft.';

export function readDraft(key: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(PREFIX + key);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    return typeof d.text === 'string' && typeof d.base === 'string' && typeof d.baseVersion === 'number' ? { text: d.text, base: d.base, baseVersion: d.baseVersion, savedAt: String(d.savedAt ?? '') } : null;
  } catch {
    return null;
  }
}

export function writeDraft(key: string, draft: Omit<Draft, 'savedAt'>): void {
  try {
    window.localStorage.setItem(PREFIX + key, JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
  } catch {
    // Storage full or disabled: the unsaved-changes warning still protects the text.
  }
}

export function clearDraft(key: string): void {
  try {
    window.localStorage.removeItem(PREFIX + key);
  } catch {
    // Nothing to clear.
  }
}
