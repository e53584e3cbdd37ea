import { diff3Merge, type MergeRegion } from 'node-diff3';
import { useMemo, useState } from 'react';
import { when } from './common';

/** Words and the spaces between them: prose merges well at this grain (a line is often a whole paragraph). */
function tokens(text: string): string[] {
  return text.split(/(\s+)/).filter((t) => t !== '');
}

type Choice = 'mine' | 'theirs' | 'both';

/** The colleague's stored version a save collided with. */
export interface TheirVersion {
  text: string;
  version: number;
  by: string | null;
  at: string | null;
}

/** The merged text: agreed regions as they are, each conflict as chosen (undecided: mine). */
function compose(regions: MergeRegion<string>[], choices: (Choice | null)[]): string {
  let conflict = 0;
  return regions
    .map((r) => {
      if (r.ok) return r.ok.join('');
      const c = r.conflict;
      const choice = choices[conflict++] ?? 'mine';
      if (!c) return '';
      if (choice === 'theirs') return c.b.join('');
      if (choice === 'both') return `${c.a.join('')} ${c.b.join('')}`;
      return c.a.join('');
    })
    .join('');
}

/**
 * A conflict on a text field, resolved by a three-way merge: the version the editor started from
 * (base), the editor's text (mine) and the colleague's stored text (theirs). Changes on one side
 * only merge by themselves; where both changed the same words, the editor picks per conflict, then
 * may edit the result. Saving sends the colleague's version, so the save can only succeed on top
 * of what was shown here.
 */
export function MergeView({ id, label, base, mine, theirs, onSave, onCancel }: { id: string; label: string; base: string; mine: string; theirs: TheirVersion; onSave: (merged: string) => void; onCancel: () => void }) {
  const regions = useMemo(() => diff3Merge<string>(tokens(mine), tokens(base), tokens(theirs.text), { excludeFalseConflicts: true }), [base, mine, theirs.text]);
  const conflicts = regions.filter((r) => r.conflict);
  const [choices, setChoices] = useState<(Choice | null)[]>(() => conflicts.map(() => null));
  const [merged, setMerged] = useState(() => compose(regions, choices));
  const choose = (index: number, choice: Choice) => {
    const next = choices.map((c, i) => (i === index ? choice : c));
    setChoices(next);
    setMerged(compose(regions, next));
  };
  const undecided = choices.filter((c) => c === null).length;
  return (
    <div className="merge" role="group" aria-labelledby={`${id}-merge-h`}>
      <h4 id={`${id}-merge-h`}>{label}: a colleague saved a change while you were editing</h4>
      <p className="muted small">
        {theirs.by ?? 'Someone'} saved version {theirs.version}{theirs.at ? ` at ${when(theirs.at)} UTC` : ''}. Nothing was overwritten. Changes made on one side only are merged below;
        {conflicts.length > 0 ? ` ${conflicts.length} place(s) changed on both sides need your choice.` : ' no place was changed on both sides.'}
      </p>
      <div className="merge-columns">
        <div>
          <label htmlFor={`${id}-mine`}>Your version</label>
          <textarea id={`${id}-mine`} readOnly rows={6} value={mine} />
        </div>
        <div>
          <label htmlFor={`${id}-theirs`}>Their version ({theirs.by ?? 'colleague'}, v{theirs.version})</label>
          <textarea id={`${id}-theirs`} readOnly rows={6} value={theirs.text} />
        </div>
      </div>
      {conflicts.length > 0 && (
        <ol className="conflicts">
          {conflicts.map((r, i) => (
            <li key={i}>
              <fieldset>
                <legend>Conflict {i + 1}: was “{r.conflict?.o.join('').trim() || '(nothing)'}”</legend>
                {(['mine', 'theirs', 'both'] as const).map((choice) => (
                  <label key={choice} className="choice">
                    <input type="radio" name={`${id}-c${i}`} checked={choices[i] === choice} onChange={() => choose(i, choice)} />
                    {choice === 'mine' ? <>Yours: “{r.conflict?.a.join('').trim()}”</> : choice === 'theirs' ? <>Theirs: “{r.conflict?.b.join('').trim()}”</> : 'Both, yours first'}
                  </label>
                ))}
              </fieldset>
            </li>
          ))}
        </ol>
      )}
      <label htmlFor={`${id}-merged`}>Merged text (edit it freely before saving)</label>
      <textarea id={`${id}-merged`} rows={6} value={merged} onChange={(e) => setMerged(e.target.value)} />
      <div className="buttons">
        <button type="button" className="primary" disabled={undecided > 0} onClick={() => onSave(merged)}>
          {undecided > 0 ? `Choose ${undecided} more` : `Save merged text over version ${theirs.version}`}
        </button>
        <button type="button" onClick={() => setMerged(theirs.text)}>Start from theirs</button>
        <button type="button" onClick={onCancel}>Discard mine, keep theirs</button>
      </div>
    </div>
  );
}
