/**
 * The lessons-learned questions of NIST SP 800-61 (section 3.4.1, "Lessons Learned"), each
 * answerable in the review. Ids are stable: answers are stored under them.
 */
export interface LessonsQuestion {
  id: string;
  text: string;
}

export const LESSONS_LEARNED_QUESTIONS: readonly LessonsQuestion[] = [
  { id: 'what-happened', text: 'Exactly what happened, and at what times?' },
  { id: 'staff-performance', text: 'How well did staff and management perform in dealing with the incident?' },
  { id: 'procedures', text: 'Were the documented procedures followed? Were they adequate?' },
  { id: 'information-sooner', text: 'What information was needed sooner?' },
  { id: 'inhibited-recovery', text: 'Were any steps or actions taken that might have inhibited the recovery?' },
  { id: 'do-differently', text: 'What would the staff and management do differently the next time a similar incident occurs?' },
  { id: 'information-sharing', text: 'How could information sharing with other organizations have been improved?' },
  { id: 'corrective-actions', text: 'What corrective actions can prevent similar incidents in the future?' },
  { id: 'precursors', text: 'What precursors or indicators should be watched for in the future to detect similar incidents?' },
  { id: 'tools-resources', text: 'What additional tools or resources are needed to detect, analyze, and mitigate future incidents?' },
];

export const QUESTION_IDS: readonly string[] = LESSONS_LEARNED_QUESTIONS.map((q) => q.id);

/** Accepts a question id or its 1-based number (`3` = `procedures`). */
export function resolveQuestionId(ref: string): string | undefined {
  const trimmed = ref.trim();
  if (/^\d+$/.test(trimmed)) return LESSONS_LEARNED_QUESTIONS[Number(trimmed) - 1]?.id;
  return LESSONS_LEARNED_QUESTIONS.find((q) => q.id === trimmed.toLowerCase())?.id;
}
