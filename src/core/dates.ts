/**
 * ISO 8601 text for certificate dates (whole seconds, UTC). Written out with integer arithmetic
 * (days to civil date, as in H. Hinnant's algorithm) because reports format tens of thousands of
 * dates and Date#toISOString cost ~1 µs each; anything unusual goes to Date.
 */
const DAY_MS = 86_400_000;
/** 0000-01-01 and 9999-12-31 in days since 1970-01-01: four-digit years. */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;

const two = (n: number) => (n < 10 ? '0' + n : String(n));

/** 2026-11-22T04:56:51Z; milliseconds are kept (as Date writes them) when there are any. */
export function isoTime(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  if (days < FIRST_DAY || days > LAST_DAY || inDay % 1000 !== 0) return new Date(ms).toISOString().replace('.000Z', 'Z');
  const s = inDay / 1000;
  return `${isoDay(days)}T${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}Z`;
}

/** 2026-11-22 */
export function isoDate(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const days = Math.floor(ms / DAY_MS);
  return days < FIRST_DAY || days > LAST_DAY ? new Date(ms).toISOString().slice(0, 10) : isoDay(days);
}

function isoDay(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`;
}
