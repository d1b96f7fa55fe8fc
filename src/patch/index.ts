/**
 * Patch layer entry point (contract; implemented in this folder).
 *
 * parsePatch(mail): Patch. Finds the commit message, trailers and every
 * diff in the mail's text segments: plain unified diffs (`git format-patch`,
 * `git diff`, `diff -u`), the web-archive form (tab after `+` collapsed to a
 * space), and diffs quoted in review replies at any depth (`>+`, `> +`,
 * `> > +`), including trimmed quotes with no `@@` line. Classifies the
 * message as patch / reply / no-diff / unreadable. Hunks that do not add up
 * are kept as far as they go and reported as `patch-format` problems.
 * Never throws.
 *
 * sourcePatch(name, text): Patch. A whole source file as the patch that adds
 * it (`kreview -f`), every line added, numbered as the file's lines.
 */
export * from "./model.js";
export { parsePatch } from "./parse.js";
export { sourcePatch } from "./source.js";
