// Reformats only the statements that hold lines longer than the print width, with Prettier's
// range formatting and the project's .prettierrc.json. A whole-tree `prettier --write` would
// rewrite ~230 files that were formatted by hand (and that others are editing); this touches
// only what is too long. Lines Prettier cannot shorten (long strings, comments) are listed.
//
//   npx tsx tools/format-long-lines.ts FILE...        (rewrites the files)
//   npx tsx tools/format-long-lines.ts --check FILE... (exit 1 if a line could be shortened)
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';

/** Start and end offset of each line longer than `width` characters, last line first. */
function longLines(text: string, width: number): { start: number; end: number; line: number }[] {
  const found: { start: number; end: number; line: number }[] = [];
  let start = 0;
  text.split('\n').forEach((line, i) => {
    if (line.length > width) found.push({ start, end: start + line.length, line: i + 1 });
    start += line.length + 1;
  });
  return found.reverse();
}

async function formatFile(file: string, check: boolean): Promise<{ changed: boolean; left: number[] }> {
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  const width = options.printWidth ?? 80;
  const original = readFileSync(file, 'utf8');
  let text = original;
  // Lines Prettier keeps as they are (by content: formatting moves them).
  const kept = new Set<string>();
  for (;;) {
    // Offsets are recomputed each time: formatting one statement may reflow others around it.
    const next = longLines(text, width).find((l) => !kept.has(text.slice(l.start, l.end)));
    if (!next) break;
    const content = text.slice(next.start, next.end);
    const formatted = await prettier.format(text, { ...options, rangeStart: next.start, rangeEnd: next.end });
    if (longLines(formatted, width).some((l) => formatted.slice(l.start, l.end) === content)) kept.add(content);
    text = formatted;
  }
  if (!check && text !== original) writeFileSync(file, text);
  return { changed: text !== original, left: longLines(text, width).map((l) => l.line) };
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const files = process.argv.slice(2).filter((a) => a !== '--check');
  let changed = 0;
  for (const file of files) {
    const r = await formatFile(file, check);
    if (r.changed) {
      changed++;
      console.log(`${check ? 'would reformat' : 'reformatted'} ${file}`);
    }
    if (r.left.length) console.log(`  ${file}: Prettier leaves line(s) ${r.left.sort((a, b) => a - b).join(', ')} as they are`);
  }
  console.log(`${changed} of ${files.length} files ${check ? 'hold statements to reformat' : 'reformatted'}`);
  return check && changed > 0 ? 1 : 0;
}

process.exitCode = await main();
