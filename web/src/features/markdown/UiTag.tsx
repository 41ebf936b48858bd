/** The allowlisted UI tags: card, chart (bars drawn with plain elements: no chart library up front), button. */
import type { ReactNode } from "react";

import type { Segment } from "./uiTags";

type TagSegment = Extract<Segment, { kind: "tag" }>;

export interface ChartPoint {
  label: string;
  value: number;
}

function point(item: unknown): ChartPoint | null {
  if (Array.isArray(item) && item.length >= 2 && typeof item[1] === "number") return { label: String(item[0]), value: item[1] };
  if (typeof item !== "object" || item === null) return null;
  const entry = item as Record<string, unknown>;
  const label = entry.label ?? entry.name ?? entry.x ?? entry.key;
  const value = entry.value ?? entry.y ?? entry.count;
  return label !== undefined && typeof value === "number" && Number.isFinite(value) ? { label: String(label), value } : null;
}

/** Chart data as JSON (`[{label, value}]`, `{labels, values}`, `{data: [...]}`) or lines `label: value`. */
export function parseChart(content: string): ChartPoint[] {
  const text = content.trim();
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data)) {
      const { labels, values, data: rows } = data as Record<string, unknown>;
      if (Array.isArray(labels) && Array.isArray(values)) {
        return labels.map((label, i) => point([label, values[i]])).filter((p): p is ChartPoint => p !== null);
      }
      if (Array.isArray(rows)) return rows.map(point).filter((p): p is ChartPoint => p !== null);
      return Object.entries(data).map(point).filter((p): p is ChartPoint => p !== null);
    }
    if (Array.isArray(data)) return data.map(point).filter((p): p is ChartPoint => p !== null);
  } catch {
    // not JSON: lines
  }
  return text
    .split("\n")
    .map((line) => /^\s*[-*]?\s*(.+?)\s*[:,=|]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ label: match[1] ?? "", value: Number(match[2]) }));
}

function Chart({ segment, renderText }: { segment: TagSegment; renderText: (text: string) => ReactNode }) {
  const points = parseChart(segment.content);
  const title = segment.attrs.title ?? "Chart";
  if (points.length === 0) {
    return (
      <figure className="md-ui-card" aria-label={title}>
        <figcaption className="md-ui-title">{title}</figcaption>
        {renderText(segment.content)}
      </figure>
    );
  }
  const max = Math.max(...points.map((p) => Math.abs(p.value)), 0) || 1;
  return (
    <figure className="md-ui-card" data-ui-tag="chart" aria-label={title}>
      <figcaption className="md-ui-title">{title}</figcaption>
      <table className="md-chart">
        <tbody>
          {points.map((p, i) => (
            <tr key={i}>
              <th scope="row">{p.label}</th>
              <td className="md-chart-bar-cell">
                <span className="md-chart-bar" style={{ width: `${(Math.abs(p.value) / max) * 100}%` }} aria-hidden />
              </td>
              <td className="md-chart-value">{p.value.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function UiTag({ segment, renderText }: { segment: TagSegment; renderText: (text: string) => ReactNode }) {
  switch (segment.tag) {
    case "card":
      return (
        <section className="md-ui-card" data-ui-tag="card" aria-label={segment.attrs.title ?? "Card"}>
          {segment.attrs.title ? <div className="md-ui-title">{segment.attrs.title}</div> : null}
          {renderText(segment.content)}
        </section>
      );
    case "chart":
      return <Chart segment={segment} renderText={renderText} />;
    case "button":
      // Acting on it (putting its text into the composer) is out of scope: a label that looks like a chip.
      return (
        <span className="md-ui-chip" data-ui-tag="button" title="Suggested action">
          {segment.content.trim() || segment.attrs.label || segment.attrs.title || "Button"}
        </span>
      );
  }
}
