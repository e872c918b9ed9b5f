// Group commit: concurrent write units share one database transaction (each in its
// own savepoint), so one fsync covers many tickets. A unit's promise settles only
// after the shared transaction has committed; a unit that throws is rolled back to
// its savepoint alone and its caller gets the error. With one writer at a time the
// first unit starts at once; units that arrive meanwhile form the next batch.
import { Knex } from 'knex';

type Unit<T> = { work: (trx: Knex.Transaction) => Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

export class GroupCommit {
  private queue: Unit<any>[] = [];
  private running = false;

  constructor(private readonly db: Knex, private readonly maxBatch = 64) {}

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
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction(async (trx) => {
        for (const unit of batch) {
          if (batch.length === 1) {
            // Alone: no savepoint needed; an error rolls the whole transaction back.
            outcomes.push({ ok: true, value: await unit.work(trx) });
            continue;
          }
          try {
            outcomes.push({ ok: true, value: await trx.transaction((sp) => unit.work(sp)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // Nothing of this batch was committed.
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, i) => {
      const o = outcomes[i];
      if (o.ok) unit.resolve(o.value);
      else unit.reject(o.error);
    });
  }
}
