/** A date as the page shows it and as `<time datetime>` carries it. */
export interface DisplayDate {
  iso: string;
  text: string;
}

// The site's readers are in the UK: a 23:30 UTC publish on 31 March is 1 April to them in summer time.
const FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });

/** `2024-02-12T09:30:00Z` gives `12 February 2024`; anything unparseable gives undefined. */
export function displayDate(value: unknown): DisplayDate | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  return { iso: d.toISOString(), text: FORMAT.format(d) };
}
