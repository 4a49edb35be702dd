import { useCallback, useEffect, useState } from 'react';
import type { SessionResponse } from '../../../src/protocol/session.js';
import { setUnauthorizedHandler } from '../api/http';
import { fetchSession, signOut } from '../api/session';
import { ChangePasswordDialog } from '../features/auth/change-password-dialog';
import { SignInPage } from '../features/auth/sign-in-page';
import { SearchPage } from '../features/search/search-page';
import { SEARCH_PATH } from '../features/search/url-state';
import { applyTheme, readThemeChoice, storeThemeChoice, watchSystemTheme, type Theme, type ThemeChoice } from '../theme';
import { TopBar } from './top-bar';

type AuthState = { kind: 'loading' } | { kind: 'signed-out'; notice?: string } | { kind: 'signed-in'; session: SessionResponse };

/** The app shell: who is signed in, the theme, the top bar and the page. */
export function App() {
  const [auth, setAuth] = useState<AuthState>({ kind: 'loading' });
  const [themeChoice, setThemeChoice] = useState<ThemeChoice>(readThemeChoice);
  const [theme, setTheme] = useState<Theme>(() => applyTheme(readThemeChoice()));
  const [changingPassword, setChangingPassword] = useState(false);

  useEffect(() => {
    setTheme(applyTheme(themeChoice));
    if (themeChoice !== 'system') return undefined;
    return watchSystemTheme(() => setTheme(applyTheme('system')));
  }, [themeChoice]);

  useEffect(() => {
    let live = true;
    fetchSession()
      .then((session) => live && setAuth(session ? { kind: 'signed-in', session } : { kind: 'signed-out' }))
      .catch(() => live && setAuth({ kind: 'signed-out', notice: 'The server did not answer. Try again in a moment.' }));
    setUnauthorizedHandler(() => setAuth({ kind: 'signed-out', notice: 'Your session has ended. Sign in again.' }));
    return () => {
      live = false;
      setUnauthorizedHandler(undefined);
    };
  }, []);

  useEffect(() => {
    if (auth.kind === 'signed-in' && !window.location.pathname.startsWith('/log-search')) {
      window.history.replaceState(null, '', SEARCH_PATH + window.location.search);
    }
    document.title = auth.kind === 'signed-out' ? 'Sign in · Quarry' : 'Search · Quarry';
  }, [auth]);

  const toggleTheme = useCallback(() => {
    const next: ThemeChoice = theme === 'dark' ? 'light' : 'dark';
    storeThemeChoice(next);
    setThemeChoice(next);
  }, [theme]);

  const followSystem = useCallback(() => {
    storeThemeChoice('system');
    setThemeChoice('system');
  }, []);

  const doSignOut = useCallback(async () => {
    try {
      await signOut();
    } finally {
      setAuth({ kind: 'signed-out', notice: 'You have signed out.' });
    }
  }, []);

  if (auth.kind === 'loading') return <div className="boot" aria-busy="true" />;
  if (auth.kind === 'signed-out') {
    return (
      <SignInPage
        notice={auth.notice}
        theme={theme}
        onToggleTheme={toggleTheme}
        onSignedIn={(session) => setAuth({ kind: 'signed-in', session })}
      />
    );
  }
  return (
    <div className="shell">
      <TopBar
        username={auth.session.user.username}
        theme={theme}
        followsSystem={themeChoice === 'system'}
        onToggleTheme={toggleTheme}
        onFollowSystem={followSystem}
        onChangePassword={() => setChangingPassword(true)}
        onSignOut={() => void doSignOut()}
      />
      <main className="page" id="main">
        <SearchPage />
      </main>
      {changingPassword && <ChangePasswordDialog onClose={() => setChangingPassword(false)} />}
    </div>
  );
}
