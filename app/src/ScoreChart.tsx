/**
 * The device's records as a chart: score over time, one point per record, anomalies (any class
 * but 0, "normal") marked in their class's colour and named in the legend. Plain SVG: no chart
 * library in the bundle. The records shown are the ones loaded on the page.
 */
import type { IndexedRecord } from '@zkpin/sdk';

/**
 * The name of class `c` of a model: from the deployment manifest's `classNames` (written from
 * the model's artifacts file), else `class <c>`. Class 0 is the normal case of every shipped
 * model; any other class is an anomaly.
 */
export function className(names: readonly string[] | undefined, c: number): string {
  return names?.[c] ?? `class ${c}`;
}
const COLORS = ['#6b7280', '#b7791f', '#c62828', '#7c3aed'];

const W = 640;
const H = 180;
const PAD = 28;

export function ScoreChart({
  records,
  classNames,
}: {
  records: IndexedRecord[];
  /** The device's model's class names (the manifest's). */
  classNames: readonly string[] | undefined;
}) {
  if (records.length < 2) return null;
  const points = records
    .map((r) => ({ t: Number(r.timestamp), s: Number(r.score), c: r.class, seq: r.seq }))
    .sort((a, b) => a.t - b.t);
  const [t0, t1] = [points[0]!.t, points[points.length - 1]!.t];
  const scores = points.map((p) => p.s);
  const [s0, s1] = [Math.min(...scores), Math.max(...scores)];
  const x = (t: number) => PAD + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * PAD);
  const y = (s: number) => H - PAD - ((s - s0) / Math.max(1, s1 - s0)) * (H - 2 * PAD);
  const anomalies = points.filter((p) => p.c !== 0).length;
  const name = (c: number) => className(classNames, c);
  const anomalyClasses = [...new Set(points.map((p) => p.c).filter((c) => c !== 0))].sort(
    (a, b) => a - b,
  );
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Score of ${points.length} records over time; ${anomalies} anomalies marked`}
      >
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="currentColor" opacity={0.3} />
        <text x={PAD} y={PAD - 10} fontSize={11} fill="currentColor">
          {s1}
        </text>
        <text x={PAD} y={H - 8} fontSize={11} fill="currentColor">
          {s0}
        </text>
        <polyline
          fill="none"
          stroke="currentColor"
          opacity={0.35}
          points={points.map((p) => `${x(p.t).toFixed(1)},${y(p.s).toFixed(1)}`).join(' ')}
        />
        {points.map((p) => (
          <circle
            key={p.seq}
            cx={x(p.t)}
            cy={y(p.s)}
            r={p.c === 0 ? 2.5 : 5}
            fill={COLORS[p.c] ?? COLORS[3]}
            className={p.c === 0 ? 'point' : 'point anomaly'}
          >
            <title>{`#${p.seq}: ${name(p.c)}, score ${p.s}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>
        Score over time, {points.length} records;{' '}
        {anomalies === 0
          ? 'no anomaly.'
          : `${anomalies} ${anomalies === 1 ? 'anomaly' : 'anomalies'} marked: ${anomalyClasses
              .map((c) => `${name(c)} (${points.filter((p) => p.c === c).length})`)
              .join(', ')}.`}
      </figcaption>
    </figure>
  );
}
