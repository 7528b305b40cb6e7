/** One scrape of a Prometheus text endpoint: each sample by its series (`name{a="x",b="y"}`, labels as sent). */
export async function scrape(url: string): Promise<{ samples: Map<string, number>; text: string }> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`scrape of ${url} answered ${res.status}`);
  const text = await res.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { samples, text };
}

/** A sample's value, 0 when the series does not exist yet (a counter not yet incremented). */
export const sampleOf = (samples: Map<string, number>, series: string) => samples.get(series) ?? 0;

/** Every label value in the scrape. */
export function labelValues(text: string): string[] {
  return [...text.matchAll(/[a-z_]+="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}
