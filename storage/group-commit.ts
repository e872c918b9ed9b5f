// Group commit: concurrent write units share one database transaction, so one fsync
// covers many tickets. A unit's promise settles only after its transaction has
// committed. When a unit throws, the shared transaction rolls back whole and every
// unit of the batch runs again in a transaction of its own: the failing one fails
// alone. Units must write only through the transaction they are given (and keep no
// state outside it), so that running one again is safe. With one writer at a time
// the first unit starts at once; units that arrive meanwhile form the next batch.
import { Knex } from 'knex';

type Unit<T> = { work: (trx: Knex.Transaction) => Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

export class GroupCommit {
  private queue: Unit<any>[] = [];
  private running = false;

  constructor(private readonly db: Knex, private readonly maxBatch = 256) {}

  run<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the units that arrive in this turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Unit<any>[]): Promise<void> {
    if (batch.length > 1) {
      // The common case: every unit succeeds and one transaction (one disk flush) carries them all.
      let values: unknown[] | null = null;
      try {
        values = await this.db.transaction(async (trx) => {
          const out: unknown[] = [];
          for (const unit of batch) out.push(await unit.work(trx));
          return out;
        });
      } catch {
        // A unit failed and the batch was rolled back whole: run each alone below, so only
        // the failing one fails. (Units write only through trx, so running again is safe.)
      }
      if (values) {
        batch.forEach((unit, i) => unit.resolve(values![i]));
        return;
      }
    }
    for (const unit of batch) {
      try {
        unit.resolve(await this.db.transaction((trx) => unit.work(trx)));
      } catch (error) {
        unit.reject(error);
      }
    }
  }
}
