import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { NeuralJobEpoch } from '../../../lib/api-types';

const fmt = (v: unknown): string => (typeof v === 'number' ? v.toPrecision(4) : '–');

/** Training and validation cost per epoch; the validation curve is what decides which weights are published. */
export function CostChart({ history, maxEpochs }: { history: NeuralJobEpoch[]; maxEpochs: number }) {
  return (
    <div className="chart" style={{ height: 200 }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={history} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d8dee6" />
          <XAxis dataKey="epoch" type="number" domain={[1, Math.max(2, maxEpochs)]} allowDecimals={false} fontSize={12} />
          <YAxis width={56} fontSize={12} tickFormatter={(v: number) => v.toPrecision(2)} domain={['auto', 'auto']} />
          <Tooltip labelFormatter={(v) => `Epoch ${v}`} formatter={fmt} />
          <Legend />
          <Line type="monotone" dataKey="validationCost" name="Validation cost" stroke="#D55E00" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey="trainCost" name="Training cost" stroke="#0072B2" strokeWidth={1.5} strokeDasharray="4 3" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
