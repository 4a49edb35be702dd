import type { Theme } from '../theme';

/** One button: shows the theme it switches to. */
export function ThemeToggle(props: { theme: Theme; onToggle: () => void }) {
  const next = props.theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" className="icon-button" onClick={props.onToggle} aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`}>
      {props.theme === 'dark' ? (
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
          <circle cx="10" cy="10" r="3.6" fill="currentColor" />
          <g stroke="currentColor" strokeWidth="1.6" strokeLinecap="round">
            <path d="M10 1.8v2.1M10 16.1v2.1M1.8 10h2.1M16.1 10h2.1M4.2 4.2l1.5 1.5M14.3 14.3l1.5 1.5M4.2 15.8l1.5-1.5M14.3 5.7l1.5-1.5" />
          </g>
        </svg>
      ) : (
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
          <path d="M15.5 12.6A6.6 6.6 0 0 1 7.4 4.5a6.6 6.6 0 1 0 8.1 8.1z" fill="currentColor" />
        </svg>
      )}
    </button>
  );
}
