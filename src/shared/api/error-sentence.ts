/**
 * The one way an error becomes the sentence a reviewer reads, at every door
 * (service, Electron main, preload, renderer): the first line of its message,
 * without transport prefixes ("Error invoking remote method 'x':") or
 * "SomethingError:" labels, control characters blanked, at most 500
 * characters, ending as a sentence. Never a stack, never an object dump.
 * Applying it twice gives the same sentence.
 */

export const NO_SENTENCE = 'The service could not complete the request.';
export const MAX_SENTENCE_LENGTH = 500;

export function errorSentence(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  let line = (raw.split(/\r?\n/)[0] ?? '').replace(/^Error invoking remote method '[^']*':\s*/, '').replace(/^(?:(?:[A-Za-z]*Error|RefusedCall):\s*)+/, '');
  // eslint-disable-next-line no-control-regex
  line = line.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (line === '' || /^at\s/.test(line)) return NO_SENTENCE;
  if (line.length > MAX_SENTENCE_LENGTH) return `${line.slice(0, MAX_SENTENCE_LENGTH - 1)}…`;
  return /[.!?…]$/.test(line) ? line : `${line}.`;
}
