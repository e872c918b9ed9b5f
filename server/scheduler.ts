// The scheduler at the edge: wakes every SCHEDULER_INTERVAL_MS (and once at start, to
// catch up after a restart), fires the due alarms and has the due return visits called. Due times live
// in the database, so nothing is missed across restarts and nothing fires twice.
import { ExtensionFactory } from './extensions';

export const scheduler: ExtensionFactory = (ctx) => {
  const interval = ctx.config.SCHEDULER_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = ctx
      .refreshCalendar()
      .then(() => Promise.all([ctx.tickets.fireDueAlarms(), ctx.visits.tick()]))
      .catch((e) => ctx.log(`[scheduler] ${e instanceof Error ? e.message : e}`))
      .finally(() => (running = null));
  };
  if (interval > 0) {
    tick();
    timer = setInterval(tick, interval);
    timer.unref();
  }
  return {
    name: 'scheduler',
    close: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
};
