export interface ProgressBarProps {
  /** 0..max; null shows an indeterminate bar. */
  value: number | null;
  max: number;
  label: string;
  /** Visible text next to the bar, e.g. "12 / 25 epochs". */
  text?: string;
  tone?: 'default' | 'spam' | 'ham' | 'warn';
}

/** A progress or quantity bar with role=progressbar and its numbers in text (never colour alone). */
export function ProgressBar({ value, max, label, text, tone = 'default' }: ProgressBarProps) {
  const ratio = value === null || max <= 0 ? null : Math.min(1, Math.max(0, value / max));
  return (
    <div className={`progress progress-${tone}`}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value ?? undefined}
        aria-valuetext={text}
      >
        <div
          className={ratio === null ? 'progress-fill progress-indeterminate' : 'progress-fill'}
          style={ratio === null ? undefined : { width: `${(ratio * 100).toFixed(1)}%` }}
        />
      </div>
      {text && <span className="progress-text">{text}</span>}
    </div>
  );
}
