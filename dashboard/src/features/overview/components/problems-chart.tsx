import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock, formatInt } from '../../../lib/format';

export function ProblemsChart({ rows }: { rows: Record<string, number | null>[] }) {
  return (
    <div className="chart" style={{ height: 220 }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d8dee6" />
          <XAxis dataKey="at" tickFormatter={formatClock} minTickGap={32} fontSize={12} />
          <YAxis allowDecimals={false} width={48} fontSize={12} />
          <Tooltip labelFormatter={(v) => formatClock(Number(v))} formatter={(v) => formatInt(Number(v))} />
          <Legend />
          <Bar dataKey="invalid" name="Invalid" fill="#D55E00" isAnimationActive={false} />
          <Bar dataKey="denied" name="Denied" fill="#CC79A7" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
