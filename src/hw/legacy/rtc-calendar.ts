/**
 * Calendar arithmetic for the MC146818 RTC (Motorola MC146818A datasheet):
 * converting between a count of seconds and the chip's time registers in
 * BCD or binary, 12- or 24-hour form, and finding when the alarm next
 * matches. Seconds count from 1970-01-01 00:00:00 of the guest's own clock
 * (UTC or local time; the calendar here is zone-free).
 */

/** Register indexes of the time and date (and the PC's century byte in CMOS RAM). */
export const RTC_SECONDS = 0x00;
export const RTC_MINUTES = 0x02;
export const RTC_HOURS = 0x04;
export const RTC_WEEKDAY = 0x06;
export const RTC_DAY = 0x07;
export const RTC_MONTH = 0x08;
export const RTC_YEAR = 0x09;
export const RTC_CENTURY = 0x32;

/** How the time registers are encoded (register B bits 2 and 1). */
export interface RtcFormat {
  /** DM: binary (true) or BCD. */
  readonly binary: boolean;
  /** 24/12: 24-hour (true) or 12-hour with bit 7 = PM. */
  readonly hours24: boolean;
}

/** A byte as the chip shows `value` (0-99) in the format. */
export function encodeField(value: number, binary: boolean): number {
  if (binary) return value & 0xff;
  const v = value % 100;
  return (Math.floor(v / 10) << 4) | (v % 10);
}

/** The value of a register byte (BCD digits above 9 count as their binary value). */
export function decodeField(byte: number, binary: boolean): number {
  return binary ? byte : (byte >> 4) * 10 + (byte & 0x0f);
}

/** An hour (0-23) as the hours register shows it. */
export function encodeHour(hour: number, format: RtcFormat): number {
  if (format.hours24) return encodeField(hour, format.binary);
  const pm = hour >= 12 ? 0x80 : 0;
  return encodeField(hour % 12 === 0 ? 12 : hour % 12, format.binary) | pm;
}

/** The hour (0-23) of an hours register byte. */
export function decodeHour(byte: number, format: RtcFormat): number {
  if (format.hours24) return decodeField(byte, format.binary);
  const hour12 = decodeField(byte & 0x7f, format.binary);
  return (hour12 % 12) + ((byte & 0x80) !== 0 ? 12 : 0);
}

const SECONDS_PER_DAY = 86_400;

/** Seconds of the calendar moment; out-of-range fields carry over as `Date` does. */
export function secondsFromCalendar(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return Math.floor(date.getTime() / 1000);
}

/** Day of week, 0 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(seconds: number): number {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  return (((days + 4) % 7) + 7) % 7;
}

/**
 * Writes the time registers (and the century byte) for `seconds` into
 * `cmos`. The weekday register shows the calendar weekday moved by
 * `weekdayAdjust` days (a guest may set it to anything).
 */
export function storeTimeRegisters(
  cmos: Uint8Array,
  seconds: number,
  format: RtcFormat,
  weekdayAdjust: number,
): void {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  cmos[RTC_SECONDS] = encodeField(date.getUTCSeconds(), format.binary);
  cmos[RTC_MINUTES] = encodeField(date.getUTCMinutes(), format.binary);
  cmos[RTC_HOURS] = encodeHour(date.getUTCHours(), format);
  cmos[RTC_WEEKDAY] = encodeField(((weekdayOf(seconds) + weekdayAdjust) % 7) + 1, format.binary);
  cmos[RTC_DAY] = encodeField(date.getUTCDate(), format.binary);
  cmos[RTC_MONTH] = encodeField(date.getUTCMonth() + 1, format.binary);
  cmos[RTC_YEAR] = encodeField(year % 100, format.binary);
  cmos[RTC_CENTURY] = encodeField(Math.floor(year / 100), format.binary);
}

/**
 * The seconds the time registers in `cmos` stand for, and the weekday
 * adjustment that keeps the weekday register as written.
 */
export function loadTimeRegisters(
  cmos: Uint8Array,
  format: RtcFormat,
): { seconds: number; weekdayAdjust: number } {
  const field = (index: number): number => decodeField(cmos[index], format.binary);
  const seconds = secondsFromCalendar(
    field(RTC_CENTURY) * 100 + field(RTC_YEAR),
    field(RTC_MONTH),
    field(RTC_DAY),
    decodeHour(cmos[RTC_HOURS], format),
    field(RTC_MINUTES),
    field(RTC_SECONDS),
  );
  const weekdayAdjust = (((field(RTC_WEEKDAY) - 1 - weekdayOf(seconds)) % 7) + 7) % 7;
  return { seconds, weekdayAdjust };
}

/** One alarm field: a value to match, or -1 for "don't care" (0xC0-0xFF). */
function alarmField(byte: number, decode: (byte: number) => number, limit: number): number {
  if ((byte & 0xc0) === 0xc0) return -1;
  const value = decode(byte);
  return value < limit ? value : Number.NaN; // an impossible value never matches
}

/**
 * The first second at or after `from` whose time of day matches the alarm
 * registers (seconds, minutes, hours bytes), or Infinity if none can.
 */
export function nextAlarmMatch(
  from: number,
  alarm: { readonly seconds: number; readonly minutes: number; readonly hours: number },
  format: RtcFormat,
): number {
  const second = alarmField(alarm.seconds, (b) => decodeField(b, format.binary), 60);
  const minute = alarmField(alarm.minutes, (b) => decodeField(b, format.binary), 60);
  const hour = alarmField(alarm.hours, (b) => decodeHour(b, format), 24);
  if (Number.isNaN(second) || Number.isNaN(minute) || Number.isNaN(hour)) return Infinity;
  const range = (fixed: number, count: number): [number, number] =>
    fixed < 0 ? [0, count - 1] : [fixed, fixed];
  const [h0, h1] = range(hour, 24);
  const [m0, m1] = range(minute, 60);
  const [s0, s1] = range(second, 60);
  const today = Math.floor(from / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  for (let day = today; day <= today + SECONDS_PER_DAY; day += SECONDS_PER_DAY) {
    for (let h = h0; h <= h1; h++) {
      if (day + h * 3600 + 3599 < from) continue;
      for (let m = m0; m <= m1; m++) {
        if (day + h * 3600 + m * 60 + 59 < from) continue;
        for (let s = s0; s <= s1; s++) {
          const t = day + h * 3600 + m * 60 + s;
          if (t >= from) return t;
        }
      }
    }
  }
  return Infinity;
}
