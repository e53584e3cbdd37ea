import { api, type ReviewReport } from '../api';
import { useLifecycle, when } from './common';
import type { ReviewParts } from './reviewTypes';
import { VersionedText } from './VersionedText';

type Section = NonNullable<ReviewReport['sections']>[number];
type Question = NonNullable<ReviewReport['questions']>[number];

/** The prose sections of the review, each edited safely (draft, conflict merge). */
export function Sections({ sections, summary, parts }: { sections: Section[]; summary: string; parts: ReviewParts }) {
  const { incidentId, editable, fetchLatest, saved } = parts;
  return (
    <section className="panel" aria-labelledby="summary-title">
      <h2 id="summary-title">Review sections</h2>
      {sections.length === 0 && <p className="prose">{summary}</p>}
      {sections.map((s) => (
        <div className="section" key={s.key}>
          <h3 id={`section-${s.key}-h`}>{s.title} {s.source === 'generated' && <span className="muted small">(generated, not yet confirmed)</span>}</h3>
          <VersionedText
            id={`section-${s.key}`}
            label={s.title}
            value={s.body}
            version={s.version}
            editable={editable}
            draftKey={`${incidentId}.section.${s.key}`}
            save={(body, expectedVersion) => api.PUT('/api/incidents/{id}/sections/{key}', { params: { path: { id: incidentId, key: s.key } }, body: { body, expectedVersion } })}
            latest={async () => {
              const now = (await fetchLatest()).report.sections?.find((x) => x.key === s.key);
              return { text: now?.body ?? '', version: now?.version ?? 0, by: now?.updatedBy ?? null, at: now?.updatedAt ?? null };
            }}
            onSaved={saved}
            meta={s.updatedBy && <span className="muted small"> by {s.updatedBy}, {when(s.updatedAt)}</span>}
          />
        </div>
      ))}
    </section>
  );
}

/** The lessons-learned questions and their answers. */
export function Questions({ questions, parts }: { questions: Question[]; parts: ReviewParts }) {
  const { questions: known } = useLifecycle();
  const { incidentId, editable, fetchLatest, saved } = parts;
  return (
    <section className="panel" aria-labelledby="questions-title">
      <h2 id="questions-title">Lessons learned</h2>
      <ol className="questions">
        {questions.map((q) => {
          // The question as the server names it (the route takes only the ids it knows).
          const questionId = known.find((k) => k.id === q.id)?.id;
          return (
            <li key={q.id}>
              <p className="question" id={`answer-${q.id}-q`}>{q.text}</p>
              <VersionedText
                id={`answer-${q.id}`}
                label={`Answer ${q.number}`}
                value={q.answer ?? ''}
                version={q.version}
                rows={3}
                editable={editable && questionId !== undefined}
                draftKey={`${incidentId}.answer.${q.id}`}
                save={(answer, expectedVersion) => (questionId ? api.PUT('/api/incidents/{id}/answers/{questionId}', { params: { path: { id: incidentId, questionId } }, body: { answer, expectedVersion } }) : Promise.reject(new Error('unknown question')))}
                latest={async () => {
                  const now = (await fetchLatest()).report.questions?.find((x) => x.id === q.id);
                  return { text: now?.answer ?? '', version: now?.version ?? 0, by: now?.answeredBy ?? null, at: now?.answeredAt ?? null };
                }}
                onSaved={saved}
                view={<p className="prose" aria-labelledby={`answer-${q.id}-q`}>{q.answer || <span className="muted">Not answered.</span>}</p>}
                meta={q.answeredBy && <span className="muted small"> answered by {q.answeredBy}, {when(q.answeredAt)}</span>}
              />
            </li>
          );
        })}
      </ol>
    </section>
  );
}
