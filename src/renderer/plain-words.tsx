/**
 * The desk's words for the service's sentences. The same sentences serve the
 * command line, where they name flags and hashes by their technical names;
 * here a command-line flag becomes the field that sets it and a hash term its
 * plain meaning, with the technical term in a tooltip.
 */
import type { ReactNode } from 'react';

const PLAIN: { pattern: RegExp; words: (m: RegExpExecArray) => string; term: (m: RegExpExecArray) => string }[] = [
  { pattern: /\(--hmac-key-file\)/, words: () => '(the HMAC key file field)', term: () => '--hmac-key-file on the command line' },
  { pattern: /--hmac-key-file/, words: () => 'the HMAC key file field', term: () => '--hmac-key-file on the command line' },
  { pattern: /--format ([\w./@-]+) was given/, words: (m) => `the format ${m[1]} was chosen`, term: (m) => `--format ${m[1]} on the command line` },
  { pattern: /--trust\b/, words: () => 'the trust store field', term: () => '--trust on the command line' },
  { pattern: /--policies\b/, words: () => 'the policy folder field', term: () => '--policies on the command line' },
  { pattern: /\b(its|the) genesis\b/, words: (m) => `${m[1]} agreed starting value`, term: () => 'genesis' },
  { pattern: /\bhead hash\b/i, words: () => 'fingerprint of the last event', term: () => 'head hash' },
  { pattern: /\bleaf hash\b/i, words: () => "event's fingerprint in the checkpoint", term: () => 'leaf hash' },
  { pattern: /\bcanonical bytes\b/i, words: () => 'exact text that is fingerprinted', term: () => 'canonical bytes' },
];

/** A technical term in plain words, the term itself in a tooltip. */
export function Term({ plain, term }: { plain: string; term: string }) {
  return (
    <abbr title={term} className="term">
      {plain}
    </abbr>
  );
}

/** A sentence from the service in the desk's words (plain text in, text and tooltips out; never markup). */
export function Plain({ text }: { text: string }): ReactNode {
  const out: ReactNode[] = [];
  let rest = text;
  for (let guard = 0; rest && guard < 50; guard++) {
    let best: { at: number; m: RegExpExecArray; rule: (typeof PLAIN)[number] } | null = null;
    for (const rule of PLAIN) {
      const m = rule.pattern.exec(rest);
      if (m && (!best || m.index < best.at)) best = { at: m.index, m, rule };
    }
    if (!best) break;
    if (best.at > 0) out.push(rest.slice(0, best.at));
    out.push(<Term key={out.length} plain={best.rule.words(best.m)} term={best.rule.term(best.m)} />);
    rest = rest.slice(best.at + best.m[0].length);
  }
  if (rest) out.push(rest);
  return <>{out}</>;
}
