/**
 * A trie keyed by path segments (not characters), so `/foo` and `/foobar` share
 * nothing and a prefix always ends on a segment boundary. A node's child map is
 * made only when it gets a child, which keeps a million-leaf table small.
 */
interface Node<T> {
  children: Map<string, Node<T>> | undefined;
  value: T | undefined;
  hasValue: boolean;
}

function node<T>(): Node<T> {
  return { children: undefined, value: undefined, hasValue: false };
}

export class Trie<T> {
  private readonly root: Node<T> = node();
  private count = 0;

  /** Entries stored (a `set` over an existing key replaces it and does not count again). */
  get size(): number {
    return this.count;
  }

  set(segments: readonly string[], value: T): void {
    let n = this.root;
    for (const s of segments) {
      n.children ??= new Map();
      let next = n.children.get(s);
      if (!next) n.children.set(s, (next = node()));
      n = next;
    }
    if (!n.hasValue) this.count++;
    n.value = value;
    n.hasValue = true;
  }

  /** The entry at exactly these segments. */
  get(segments: readonly string[]): { value: T } | undefined {
    let n: Node<T> | undefined = this.root;
    for (let i = 0; i < segments.length && n; i++) n = n.children?.get(segments[i]!);
    return n?.hasValue ? { value: n.value as T } : undefined;
  }

  /** The entry at the longest leading run of these segments that has one. */
  getLongestPrefix(segments: readonly string[]): { value: T; depth: number } | undefined {
    let n: Node<T> | undefined = this.root;
    let found: Node<T> | undefined = n.hasValue ? n : undefined;
    let depth = 0;
    for (let i = 0; i < segments.length; i++) {
      n = n.children?.get(segments[i]!);
      if (!n) break;
      if (n.hasValue) {
        found = n;
        depth = i + 1;
      }
    }
    return found ? { value: found.value as T, depth } : undefined;
  }

  /** Removes the entry at these segments; true if there was one. */
  delete(segments: readonly string[]): boolean {
    const path: Node<T>[] = [this.root];
    let n: Node<T> | undefined = this.root;
    for (const s of segments) {
      n = n.children?.get(s);
      if (!n) return false;
      path.push(n);
    }
    if (!n.hasValue) return false;
    n.value = undefined;
    n.hasValue = false;
    this.count--;
    for (let i = segments.length; i > 0; i--) {
      const child = path[i]!;
      if (child.hasValue || child.children?.size) break;
      const parent = path[i - 1]!;
      parent.children!.delete(segments[i - 1]!);
      if (parent.children!.size === 0) parent.children = undefined;
    }
    return true;
  }
}
