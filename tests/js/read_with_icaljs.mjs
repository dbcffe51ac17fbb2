// Reads an iCalendar or vCard file with Mozilla's ical.js (what Thunderbird uses) and
// prints what it understood as JSON: every component, every property decoded to its
// typed value. Exits 1 with the parser's message when ical.js refuses the file.
//
//   node tests/js/read_with_icaljs.mjs FILE
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function decode(component) {
  return {
    name: component.name,
    properties: component.getAllProperties().map((property) => ({
      name: property.name,
      type: property.type,
      // toString() on a typed value (a duration, a date-time) fails on a bad one.
      values: property.getValues().map((value) => String(value)),
    })),
    components: component.getAllSubcomponents().map(decode),
  };
}

try {
  const text = readFileSync(process.argv[2], "utf8");
  let parsed = ICAL.parse(text);
  // A vCard file of several cards parses to a list of them.
  if (typeof parsed[0] === "string") parsed = [parsed];
  const components = parsed.map((jcal) => decode(new ICAL.Component(jcal)));
  for (const component of components) {
    if (component.name === "vcalendar") {
      for (const event of new ICAL.Component(parsed[0]).getAllSubcomponents("vevent")) {
        const wrapped = new ICAL.Event(event);
        // The event API computes start, end and duration from the typed values.
        String(wrapped.startDate);
        String(wrapped.endDate);
      }
    }
  }
  process.stdout.write(JSON.stringify(components));
} catch (error) {
  process.stderr.write(`ical.js refused the file: ${error.message}\n`);
  process.exit(1);
}
