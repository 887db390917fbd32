/**
 * A stack of reusable objects (idle connections, free handlers) kept by count. Not an array's push and
 * pop: an array popped to empty gives back its room and grows it again at the next push, an allocation
 * and V8's slow pop per request where one object goes back and forth.
 */
export class Stack<T> {
  private readonly items: T[] = [];
  private count = 0;

  push(item: T): void {
    this.items[this.count++] = item;
  }

  pop(): T | undefined {
    return this.count > 0 ? this.items[--this.count] : undefined;
  }
}
