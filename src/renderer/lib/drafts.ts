/**
 * Unsaved editor text (the rule editor, the profile YAML), kept per agent outside the editors so
 * that switching tabs or agents does not throw the user's typing away. In memory only: a reload
 * starts from the saved profile again.
 */
const drafts = new Map<string, unknown>();

const key = (agent: string, editor: Editor): string => `${agent}\u0000${editor}`;

/** The editors whose text is kept. */
export type Editor = 'rules' | 'profile';

/** The unsaved draft of an editor, or undefined when there is none. */
export function getDraft<T>(agent: string, editor: Editor): T | undefined {
  return drafts.get(key(agent, editor)) as T | undefined;
}

/** Keeps (or, with `undefined`, forgets) an editor's unsaved draft. */
export function setDraft(agent: string, editor: Editor, value: unknown): void {
  if (value === undefined) drafts.delete(key(agent, editor));
  else drafts.set(key(agent, editor), value);
}

/** Whether an editor has unsaved text (its tab says so). */
export function hasDraft(agent: string, editor: Editor): boolean {
  return drafts.has(key(agent, editor));
}
