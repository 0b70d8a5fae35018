import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock, formatInt } from '../../../lib/format';

/** Colour-blind-safe palette (Okabe–Ito), one per command in protocol order. */
export const COMMAND_COLOURS = ['#0072B2', '#E69F00', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#999999'];

export function RequestsChart({ rows, commands }: { rows: Record<string, number | null>[]; commands: string[] }) {
  return (
    <div className="chart" style={{ height: 260 }}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d8dee6" />
          <XAxis dataKey="at" tickFormatter={formatClock} minTickGap={32} fontSize={12} />
          <YAxis allowDecimals={false} width={48} fontSize={12} tickFormatter={(v: number) => formatInt(v)} />
          <Tooltip labelFormatter={(v) => formatClock(Number(v))} formatter={(v) => formatInt(Number(v))} />
          <Legend />
          {commands.map((c, i) => (
            <Area
              key={c}
              type="monotone"
              dataKey={c}
              name={c.toUpperCase()}
              stackId="requests"
              stroke={COMMAND_COLOURS[i % COMMAND_COLOURS.length]}
              fill={COMMAND_COLOURS[i % COMMAND_COLOURS.length]}
              fillOpacity={0.35}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
