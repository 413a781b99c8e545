// Vitest setup file: with TEST_CLOCK set (an ISO date, e.g. 2099-06-01), the wall clock of every test starts there and
// runs on, so `TEST_CLOCK=2099-06-01 npm run test:floor` shows the suite passes on any date. Timers are not touched.
const start = process.env.TEST_CLOCK;
if (start) {
  const offset = Date.parse(start) - Date.now();
  if (Number.isNaN(offset)) throw new Error(`TEST_CLOCK must be a date such as 2099-06-01, not ${JSON.stringify(start)}`);
  // Note: the platform's Date, kept from this file's first run in a worker: the unit tests share their workers' modules
  // (isolate: false), so each test file runs this file again, and must not shift the shifted clock.
  const Real = ((globalThis as { platformDate?: DateConstructor }).platformDate ??= Date);
  // Note: only the two ways to read "now" move (Date.now() and new Date()); a date built from a value stays that date.
  class ShiftedDate extends Real {
    constructor(...args: ConstructorParameters<DateConstructor> | []) {
      if (args.length) super(...(args as [string]));
      else super(Real.now() + offset);
    }
    static override now = () => Real.now() + offset;
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
