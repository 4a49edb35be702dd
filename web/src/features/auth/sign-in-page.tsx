import { useRef, useState, type FormEvent } from 'react';
import type { SessionResponse } from '../../../../src/protocol/session.js';
import { ApiError } from '../../api/http';
import { signIn } from '../../api/session';
import { ThemeToggle } from '../../shell/theme-toggle';
import type { Theme } from '../../theme';

export interface SignInPageProps {
  notice?: string | undefined;
  theme: Theme;
  onToggleTheme: () => void;
  onSignedIn: (session: SessionResponse) => void;
}

function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong username or password.';
    if (error.status === 429) return error.message.charAt(0).toUpperCase() + error.message.slice(1) + '.';
    return error.message;
  }
  return 'The server did not answer. Check that Quarry is running and try again.';
}

/** Username and password → a session. */
export function SignInPage(props: SignInPageProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const passwordField = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await signIn({ username: username.trim(), password }));
    } catch (caught) {
      setError(describeError(caught));
      setPassword('');
      setBusy(false);
      passwordField.current?.focus();
    }
  };

  return (
    <div className="sign-in">
      <div className="sign-in-corner">
        <ThemeToggle theme={props.theme} onToggle={props.onToggleTheme} />
      </div>
      <main className="sign-in-card">
        <div className="brand brand-large">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="var(--accent)" />
            <path d="M8 22 L14 9 L18 17 L21 12 L25 22 Z" fill="var(--accent-text)" />
          </svg>
          <span>Quarry</span>
        </div>
        <h1>Sign in</h1>
        {props.notice && !error && (
          <p className="notice" role="status">
            {props.notice}
          </p>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <label htmlFor="sign-in-username">Username</label>
          <input
            id="sign-in-username"
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <label htmlFor="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            name="password"
            ref={passwordField}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}
