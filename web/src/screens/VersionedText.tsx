import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { describeError, when } from './common';
import { MergeView, type TheirVersion } from './MergeView';
import { clearDraft, readDraft, useUnsaved, writeDraft } from './unsaved';

/**
 * A long text of the review (a section, an answer, a finding's description) edited safely:
 * - the text typed is kept as a draft in this browser until it is saved (a reload or an expired
 *   session loses nothing), and leaving with unsaved text asks first;
 * - a save names the version the editing started from; when a colleague saved in between (409),
 *   their version is shown beside this one with a three-way merge, and the next save names THEIR
 *   version, so it can never overwrite something that was not shown.
 */
export function VersionedText({
  id,
  label,
  value,
  version,
  editable,
  draftKey,
  rows = 5,
  save,
  latest,
  onSaved,
  view,
  meta,
}: {
  id: string;
  label: string;
  value: string;
  version: number;
  editable: boolean;
  /** Where the draft is kept: unique per incident and field. */
  draftKey: string;
  rows?: number;
  save: (text: string, expectedVersion: number) => Promise<unknown>;
  /** Reads the stored text and version now (after a conflict). */
  latest: () => Promise<TheirVersion>;
  onSaved: (what: string) => void;
  /** How the text shows when not editing (default: the text as prose). */
  view?: ReactNode;
  meta?: ReactNode;
}) {
  const stored = readDraft(draftKey);
  // A draft left from before (a reload, an expired session) reopens the editor with it.
  const [editing, setEditing] = useState(editable && stored !== null && stored.text !== value);
  const [text, setText] = useState(stored && editable ? stored.text : value);
  const [base, setBase] = useState(stored && editable ? { text: stored.base, version: stored.baseVersion } : { text: value, version });
  const [restoredAt, setRestoredAt] = useState(() => (editable && stored && stored.text !== value ? stored.savedAt : null));
  const [theirs, setTheirs] = useState<TheirVersion | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = editing && text !== base.text;
  useUnsaved(draftKey, dirty);

  // The stored text moved on while not editing (someone else saved, the page reloaded): follow it.
  useEffect(() => {
    if (!editing) {
      setText(value);
      setBase({ text: value, version });
    }
  }, [value, version, editing]);
  // Locked (approved): nothing can be saved, so stop editing; a kept draft stays for after a reopen.
  useEffect(() => {
    if (!editable) setEditing(false);
  }, [editable]);

  const change = (next: string) => {
    setText(next);
    writeDraft(draftKey, { text: next, base: base.text, baseVersion: base.version });
  };
  const attempt = async (body: string, expected: number) => {
    setBusy(true);
    setError(null);
    try {
      await save(body, expected);
      clearDraft(draftKey);
      setRestoredAt(null);
      setTheirs(null);
      setEditing(false);
      onSaved(`${label} saved`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        try {
          setTheirs(await latest());
          setText(body);
        } catch (again) {
          setError(describeError(again));
        }
      } else setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const saveMerged = (merged: string) => {
    if (!theirs) return;
    // From now on the text is based on their version: the draft and the next save say so.
    setBase({ text: theirs.text, version: theirs.version });
    setText(merged);
    writeDraft(draftKey, { text: merged, base: theirs.text, baseVersion: theirs.version });
    void attempt(merged, theirs.version);
  };
  const keepTheirs = () => {
    clearDraft(draftKey);
    setTheirs(null);
    setEditing(false);
    onSaved(`${label}: kept the colleague's version`);
  };

  if (theirs) return <MergeView key={theirs.version} id={id} label={label} base={base.text} mine={text} theirs={theirs} onSave={saveMerged} onCancel={keepTheirs} />;
  if (!editing) {
    return (
      <div className="versioned">
        {view ?? <p className="prose">{value || <span className="muted">Not written yet.</span>}</p>}
        {editable && (
          <button type="button" onClick={() => { setText(value); setBase({ text: value, version }); setEditing(true); }} aria-label={`Edit ${label}`}>
            Edit
          </button>
        )}
        {meta}
      </div>
    );
  }
  return (
    <form className="versioned" onSubmit={(e) => { e.preventDefault(); void attempt(text, base.version); }}>
      <label htmlFor={id} className="sr-only">{label}</label>
      <textarea id={id} rows={rows} value={text} onChange={(e) => change(e.target.value)} />
      {restoredAt && <p className="muted small" role="status">Draft restored from this browser ({when(restoredAt)} UTC), not saved yet.</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy || !dirty}>{busy ? 'Saving…' : 'Save'}</button>
        <button type="button" onClick={() => { clearDraft(draftKey); setRestoredAt(null); setText(base.text); setEditing(false); }}>Cancel</button>
        {dirty && <span className="muted small">Unsaved changes (kept as a draft in this browser)</span>}
      </div>
    </form>
  );
}
