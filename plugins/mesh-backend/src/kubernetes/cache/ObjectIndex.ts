/** What every cached object has: enough metadata to key it and to order its versions. */
export interface Keyed {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

/** The values an object is found by under one index (e.g. the hosts it routes). */
export type Indexer<T> = (o: T) => string[];

export const keyOf = (o: Keyed) =>
  `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * Objects by namespace/name, with secondary indexes kept as objects come and go, so a query for
 * one host, namespace or label value costs the objects it finds, never the whole collection.
 */
export class ObjectIndex<T extends Keyed> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexers: Record<string, Indexer<T>>) {
    for (const name of Object.keys(indexers)) this.indexes.set(name, new Map());
  }

  get size() {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  set(o: T) {
    const key = keyOf(o);
    this.delete(key);
    this.objects.set(key, o);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name)!;
      for (const value of indexer(o)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  delete(key: string) {
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name)!;
      for (const value of indexer(old)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }

  /** The objects an index files under a value. */
  find(index: string, value: string): T[] {
    const keys = this.indexes.get(index)?.get(value);
    if (!keys) return [];
    return [...keys].map(k => this.objects.get(k)!);
  }

  /** How many objects an index files under a value, without collecting them. */
  count(index: string, value: string): number {
    return this.indexes.get(index)?.get(value)?.size ?? 0;
  }

  /** The values an index holds (e.g. every namespace with pods). */
  values(index: string): string[] {
    return [...(this.indexes.get(index)?.keys() ?? [])];
  }

  matches(index: string, o: T, value: string): boolean {
    return this.indexers[index]?.(o).includes(value) ?? false;
  }

  all(): IterableIterator<T> {
    return this.objects.values();
  }
}
