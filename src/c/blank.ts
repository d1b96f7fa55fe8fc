/**
 * Blank kernel annotations out of a line of C, keeping its length, so that
 * tree-sitter sees plain C while columns still match the patch.
 */
import { BARE_ANNOTATIONS, CALL_ANNOTATIONS } from "./kernel/annotations.js";

const bareRe = new RegExp(`\\b(?:${BARE_ANNOTATIONS.join("|")})\\b`, "g");
const callRe = new RegExp(`\\b(?:${CALL_ANNOTATIONS.join("|")})\\s*\\(`, "g");
const quickRe = /__|noinline|notrace|asmlinkage|noinstr|nokprobe|STATIC/;

const spaces = (n: number) => " ".repeat(n);

export function blankAnnotations(line: string): string {
  if (!quickRe.test(line)) return line;
  let out = line.replace(bareRe, (m) => spaces(m.length));
  callRe.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = callRe.exec(out)) !== null) {
    // Blank through the matching close parenthesis (it may be missing on a cut line).
    let depth = 0;
    let end = out.length;
    for (let i = m.index + m[0].length - 1; i < out.length; i++) {
      if (out[i] === "(") depth++;
      else if (out[i] === ")" && --depth === 0) {
        end = i + 1;
        break;
      }
    }
    out = out.slice(0, m.index) + spaces(end - m.index) + out.slice(end);
    callRe.lastIndex = end;
  }
  return out;
}

/** Which annotations (bare or with arguments) a piece of C text carries. */
export function annotationsIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(bareRe)) found.add(m[0]);
  for (const m of text.matchAll(callRe)) found.add(m[0].replace(/\s*\($/, ""));
  return [...found];
}
