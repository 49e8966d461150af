// Read calendars the way Mozilla's ical.js does (Thunderbird, many web clients) and
// print their events as JSON: node icaljs_expand.mjs ICAL_JS_PATH < [{"ics": ..., "until": ...}]
// prints [[{uid, status, sequence, start, end, summary}, ...], ...], one list a calendar.
// Times are converted with the calendar's own VTIMEZONE (ical.js 2 looks a TZID up in
// the component tree), RRULEs expanded up to "until" (an ISO instant).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const ICAL = (await import(pathToFileURL(process.argv[2]).href)).default;
const calendars = JSON.parse(readFileSync(0, "utf8"));

function instant(time) {
  return time.toJSDate().toISOString();
}

function read({ ics, until }) {
  const root = new ICAL.Component(ICAL.parse(ics));
  const limit = until ? Date.parse(until) : Infinity;
  const out = [];
  for (const component of root.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    const base = {
      uid: event.uid,
      status: component.getFirstPropertyValue("status"),
      sequence: event.sequence,
      summary: event.summary,
    };
    if (!event.isRecurring()) {
      out.push({ ...base, start: instant(event.startDate), end: instant(event.endDate) });
      continue;
    }
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (next.toJSDate().getTime() >= limit || out.length > 100000) break;
      const details = event.getOccurrenceDetails(next);
      out.push({ ...base, start: instant(details.startDate), end: instant(details.endDate) });
    }
  }
  return out;
}

process.stdout.write(JSON.stringify(calendars.map(read)));
