// knex's better-sqlite3 dialect prepares every query afresh (measured in bench:intake:
// an eighth of the server's time under load went to `prepare`). Keeping the prepared
// statements of the texts in use saves that work; knex builds its SQL with placeholders,
// so the same few texts come back on every request. Bounded, least recently used first out.
// A shared statement keeps any mode set on it: nothing here uses knex's per-query
// `safeIntegers` option, which the dialect sets on the statement itself.
import type BetterSqlite3 from 'better-sqlite3';

export const STATEMENT_CACHE_SIZE = 500;

type Preparer = Pick<BetterSqlite3.Database, 'prepare'>;

/** Make `conn.prepare` return the statement it prepared before for the same text. */
export function cachePreparedStatements(conn: Preparer, max = STATEMENT_CACHE_SIZE): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, BetterSqlite3.Statement>();
  conn.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit) {
      // Refresh its place: a Map iterates in insertion order, so the first key is the stalest.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const statement = prepare(sql);
    cache.set(sql, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return statement;
  }) as Preparer['prepare'];
}
