/**
 * C's printf("%.14g") — what Lua's tostring/string.format gives rspamd's vector text (spec §5.2):
 * `0`, `1`, `0.1875`, `0.20498614958449`, `1e-07`.
 *
 * %g with precision P = 14: round to 14 significant digits; with X the decimal exponent of the rounded value,
 * use fixed notation with P−1−X decimals when −4 ≤ X < P, else d.ddde±XX (at least two exponent digits); then
 * strip trailing zeros and a trailing point. Rounding is on the exact binary value, ties to even (glibc).
 * JS's toExponential rounds exact ties up instead, so exact ties (the 15th significant digit is a 5 followed by
 * nothing) are redone with exact BigInt arithmetic.
 */

const PRECISION = 14;

export function formatLuaNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const [digits, exp] = significantDigits(Math.abs(x));
  return sign + layout(digits, exp);
}

/** 14 significant digits (string of length 14) and the decimal exponent of the first one, correctly rounded. */
function significantDigits(x: number): [string, number] {
  const probe = x.toExponential(PRECISION); // 15 significant digits
  if (probe[PRECISION + 1] === '5') return exactDigits(x);
  const s = x.toExponential(PRECISION - 1);
  const e = s.indexOf('e');
  return [s[0] + s.slice(2, e), Number(s.slice(e + 1))];
}

/** Exact decimal expansion of the double (m·2^k), rounded half-to-even to 14 digits. */
function exactDigits(x: number): [string, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp2 = (biased === 0 ? 1 : biased) - 1075;
  // value = int · 10^shift exactly
  let int: bigint;
  let shift: number;
  if (exp2 >= 0) {
    int = mantissa << BigInt(exp2);
    shift = 0;
  } else {
    int = mantissa * 5n ** BigInt(-exp2);
    shift = exp2;
  }
  let all = int.toString();
  let exp = all.length - 1 + shift;
  if (all.length <= PRECISION) return [all.padEnd(PRECISION, '0'), exp];
  let head = BigInt(all.slice(0, PRECISION));
  const rest = all.slice(PRECISION);
  const firstDropped = rest.charCodeAt(0) - 48;
  const tailNonZero = /[1-9]/.test(rest.slice(1));
  if (firstDropped > 5 || (firstDropped === 5 && (tailNonZero || head % 2n === 1n))) head += 1n;
  all = head.toString();
  if (all.length > PRECISION) {
    all = all.slice(0, PRECISION);
    exp += 1;
  }
  return [all, exp];
}

function layout(digits: string, exp: number): string {
  if (exp < -4 || exp >= PRECISION) {
    const mant = stripZeros(digits[0] + '.' + digits.slice(1));
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return stripZeros('0.' + '0'.repeat(-exp - 1) + digits);
  return stripZeros(digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}
