import type { ComparedField } from './forms/schema-form.ts';

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** A field whose saved text differs from the editor's. */
export interface FieldDiff {
  id: string;
  label: string;
  saved: string;
  yours: string;
  /** Line by line: removed lines are only in the saved version, added ones only in the editor's. */
  lines: DiffLine[];
}

// Past this many line pairs a longest-common-subsequence table costs too much; the whole text is shown as replaced.
const MAX_CELLS = 1_000_000;

/** The lines of `a` and `b` in order, each marked as in both, only in `a` (removed) or only in `b` (added). */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > MAX_CELLS) {
    return [...x.map((text) => ({ kind: 'removed' as const, text })), ...y.map((text) => ({ kind: 'added' as const, text }))];
  }
  // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
  const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      out.push({ kind: 'same', text: x[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ kind: 'removed', text: x[i++]! });
    } else {
      out.push({ kind: 'added', text: y[j++]! });
    }
  }
  while (i < x.length) out.push({ kind: 'removed', text: x[i++]! });
  while (j < y.length) out.push({ kind: 'added', text: y[j++]! });
  return out;
}

/**
 * What another editor's save changed relative to the editor's own text, field
 * by field (matched by form control id, so part 2 meets part 2). A field
 * only one side has is compared with empty text.
 */
export function diffFields(saved: ComparedField[], yours: ComparedField[]): FieldDiff[] {
  const savedById = new Map(saved.map((f) => [f.id, f]));
  const yoursById = new Map(yours.map((f) => [f.id, f]));
  const ids = [...new Set([...yours.map((f) => f.id), ...saved.map((f) => f.id)])];
  return ids.flatMap((id) => {
    const s = savedById.get(id)?.value ?? '';
    const y = yoursById.get(id)?.value ?? '';
    if (s === y) return [];
    const label = (yoursById.get(id) ?? savedById.get(id))!.label;
    return [{ id, label, saved: s, yours: y, lines: diffLines(s, y) }];
  });
}
