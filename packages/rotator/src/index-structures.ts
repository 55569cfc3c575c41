// The rotator's indexes over a group's slots (by position 0..n-1), so that a decision costs
// O(log n) instead of a pass over the pool. Internal: not exported from the package.

/**
 * A binary heap of positions 0..capacity-1 that knows where each one sits, so a position can be
 * removed or re-keyed in O(log n). `less` must be a strict total order (break ties by position).
 */
export class IndexHeap {
  readonly #heap: number[] = [];
  readonly #pos: Int32Array;
  readonly #less: (a: number, b: number) => boolean;

  constructor(capacity: number, less: (a: number, b: number) => boolean) {
    this.#pos = new Int32Array(capacity).fill(-1);
    this.#less = less;
  }

  get size(): number {
    return this.#heap.length;
  }

  has(i: number): boolean {
    return (this.#pos[i] as number) >= 0;
  }

  /** The smallest position, or -1. */
  top(): number {
    return this.#heap.length > 0 ? (this.#heap[0] as number) : -1;
  }

  push(i: number): void {
    if (this.has(i)) {
      this.update(i);
      return;
    }
    this.#heap.push(i);
    this.#pos[i] = this.#heap.length - 1;
    this.#up(this.#heap.length - 1);
  }

  remove(i: number): void {
    const at = this.#pos[i] as number;
    if (at < 0) return;
    this.#pos[i] = -1;
    const last = this.#heap.pop() as number;
    if (at === this.#heap.length) return;
    this.#heap[at] = last;
    this.#pos[last] = at;
    this.#down(this.#up(at));
  }

  /** Restores the order after position `i`'s key changed. */
  update(i: number): void {
    const at = this.#pos[i] as number;
    if (at >= 0) this.#down(this.#up(at));
  }

  /**
   * The smallest position that `skip` does not reject, or -1: costs O((k + 1) log n) for k
   * rejected ones (the exclusions of one request, a handful).
   */
  firstWhere(skip: ((i: number) => boolean) | null): number {
    const top = this.top();
    if (top < 0 || !skip || !skip(top)) return top;
    const held: number[] = [];
    let found = -1;
    while (this.#heap.length > 0) {
      const t = this.#heap[0] as number;
      if (!skip(t)) {
        found = t;
        break;
      }
      held.push(t);
      this.remove(t);
    }
    for (const t of held) this.push(t);
    return found;
  }

  #up(at: number): number {
    const heap = this.#heap;
    const item = heap[at] as number;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = heap[parent] as number;
      if (!this.#less(item, p)) break;
      heap[at] = p;
      this.#pos[p] = at;
      at = parent;
    }
    heap[at] = item;
    this.#pos[item] = at;
    return at;
  }

  #down(at: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[at] as number;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.#less(heap[r] as number, heap[l] as number) ? r : l;
      const child = heap[c] as number;
      if (!this.#less(child, item)) break;
      heap[at] = child;
      this.#pos[child] = at;
      at = c;
    }
    heap[at] = item;
    this.#pos[item] = at;
  }
}

/** A set of positions 0..capacity-1 with "the next member at or after i" in O(log n). */
export class PositionSet {
  readonly #size: number;
  readonly #tree: Int32Array;
  readonly #capacity: number;

  constructor(capacity: number) {
    let size = 1;
    while (size < Math.max(1, capacity)) size *= 2;
    this.#size = size;
    this.#capacity = capacity;
    this.#tree = new Int32Array(2 * size);
  }

  has(i: number): boolean {
    return (this.#tree[this.#size + i] as number) > 0;
  }

  set(i: number, member: boolean): void {
    let node = this.#size + i;
    const delta = (member ? 1 : 0) - (this.#tree[node] as number);
    if (delta === 0) return;
    while (node >= 1) {
      this.#tree[node] = (this.#tree[node] as number) + delta;
      node >>= 1;
    }
  }

  /** The smallest member >= i, or -1. */
  nextFrom(i: number): number {
    if (i >= this.#capacity || (this.#tree[1] as number) === 0) return -1;
    const tree = this.#tree;
    let node = this.#size + Math.max(0, i);
    if ((tree[node] as number) > 0) return node - this.#size;
    while (node > 1) {
      if ((node & 1) === 0 && (tree[node + 1] as number) > 0) {
        node += 1;
        break;
      }
      node >>= 1;
    }
    if (node === 1) return -1;
    while (node < this.#size) node = (tree[2 * node] as number) > 0 ? 2 * node : 2 * node + 1;
    return node - this.#size;
  }
}
