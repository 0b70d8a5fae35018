import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../../../lib/format';

export function HitRateChart({ rows }: { rows: Record<string, number | null>[] }) {
  return (
    <div className="chart" style={{ height: 220 }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d8dee6" />
          <XAxis dataKey="at" tickFormatter={formatClock} minTickGap={32} fontSize={12} />
          <YAxis domain={[0, 100]} unit=" %" width={56} fontSize={12} />
          <Tooltip labelFormatter={(v) => formatClock(Number(v))} formatter={(v) => (v === null ? '–' : `${Number(v).toFixed(1)} %`)} />
          <Line type="monotone" dataKey="hitRate" name="Hit rate" stroke="#009E73" strokeWidth={2} dot={{ r: 2.5 }} connectNulls={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
