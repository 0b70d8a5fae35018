import { describe, expect, it } from 'vitest';
import { formatLuaNumber } from '../../../../server/src/neural/training/lua-number-format.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';

// Expected strings produced by C printf("%.14g") (checked with a libc-compatible formatter).
const TABLE: [number, string][] = [
  [0, '0'],
  [-0, '-0'],
  [1, '1'],
  [-1, '-1'],
  [0.1875, '0.1875'],
  [0.20498614958449, '0.20498614958449'],
  [1e-7, '1e-07'],
  [0.1, '0.1'],
  [1 / 3, '0.33333333333333'],
  [2 / 3, '0.66666666666667'],
  [0.0001, '0.0001'],
  [0.00001, '1e-05'],
  [0.000035, '3.5e-05'],
  [0.00012345678901234567, '0.00012345678901235'],
  [12345678901234, '12345678901234'],
  [1e14, '1e+14'],
  [1e15, '1e+15'],
  [1e21, '1e+21'],
  [1e100, '1e+100'],
  [1e-300, '1e-300'],
  [5e-324, '4.9406564584125e-324'],
  [123.456, '123.456'],
  [0.30000000000000004, '0.3'],
  [1.0000000000000002, '1'],
  [9.999999999999995, '10'],
  [1.7976931348623157e308, '1.7976931348623e+308'],
  [2 ** 53, '9.007199254741e+15'],
  [0.12345678901234567, '0.12345678901235'],
  // exact ties at the 15th digit: glibc rounds half to even, JS's toExponential would round up
  [100000000000005, '1e+14'],
  [100000000000015, '1.0000000000002e+14'],
  [123456789012345, '1.2345678901234e+14'],
  [99999999999999.5, '1e+14'],
  [4503599627370497, '4.5035996273705e+15'],
  [Number.NaN, 'nan'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
];

describe('Lua %.14g formatting (spec §5.2)', () => {
  it.each(TABLE)('%s → %s', (x, s) => {
    expect(formatLuaNumber(x)).toBe(s);
  });

  it('round-trips random values to 14 significant digits with no trailing zeros', () => {
    const rng = new KannRandom([42n, 43n]);
    for (let i = 0; i < 3000; i++) {
      const x = (rng.uniform() - 0.3) * 10 ** Math.floor(rng.uniform() * 40 - 20);
      const s = formatLuaNumber(x);
      if (x === 0) continue;
      expect(Math.abs(Number(s) - x) / Math.abs(x)).toBeLessThanOrEqual(5.000001e-14);
      const mantissa = s.replace(/^-/, '').split('e')[0];
      expect(mantissa.replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(14);
      if (mantissa.includes('.')) expect(mantissa.endsWith('0')).toBe(false);
    }
  });
});
