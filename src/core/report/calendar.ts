import { randomUUID } from 'node:crypto';

export interface CalendarEntry {
  /** Stable id, e.g. the certificate's SHA-256. */
  id: string;
  summary: string;
  description: string;
  /** Epoch ms of the expiry. */
  at: number;
  location?: string;
  /** Code owners (CODEOWNERS): named in the description; those that are e-mail addresses are attendees. */
  owners?: string[];
}

/** RFC 5545 text escaping. */
function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds content lines at 75 octets, as RFC 5545 requires. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--; // keep UTF-8 sequences whole
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74;
  }
  return parts.join('\r\n ');
}

/** A plain e-mail address (CODEOWNERS also names @users and @org/teams, which are not). */
function isEmailAddress(owner: string): boolean {
  return /^[^@\s;:,"<>]+@[^@\s;:,"<>]+\.[^@\s;:,"<>]+$/.test(owner);
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** An iCalendar file: one event per entry at its expiry, with an alarm `alarmDays` before. */
export function toIcs(entries: readonly CalendarEntry[], alarmDays: number, now = Date.now()): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CertLens//Certificate expiry//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  for (const e of entries) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.id || randomUUID()}@certlens`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${stamp(e.at)}`,
      `DTEND:${stamp(e.at + 30 * 60_000)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      `DESCRIPTION:${escapeText(e.owners ? `${e.description}\nOwners: ${e.owners.join(', ') || 'none'}` : e.description)}`,
      ...(e.location ? [`LOCATION:${escapeText(e.location)}`] : []),
      ...(e.owners ?? []).filter(isEmailAddress).map((m) => `ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:${m}`),
      'TRANSP:TRANSPARENT',
    );
    if (alarmDays > 0) {
      lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(e.summary)}`, `TRIGGER:-P${alarmDays}D`, 'END:VALARM');
    }
    lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(e.summary)}`, 'TRIGGER:-P1D', 'END:VALARM', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
