import { useEffect, useRef, useState } from 'react';
import type { Theme } from '../theme';
import { ThemeToggle } from './theme-toggle';

export interface TopBarProps {
  username: string;
  theme: Theme;
  followsSystem: boolean;
  onToggleTheme: () => void;
  onFollowSystem: () => void;
  onChangePassword: () => void;
  onSignOut: () => void;
}

/** Brand, navigation, theme and the user menu. */
export function TopBar(props: TopBarProps) {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onDown = (event: MouseEvent): void => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const onMenuKey = (event: React.KeyboardEvent): void => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      setOpen(false);
      button.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    }
  };

  const choose = (action: () => void) => () => {
    setOpen(false);
    action();
  };

  return (
    <header className="top-bar">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="brand">
        <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="var(--accent)" />
          <path d="M8 22 L14 9 L18 17 L21 12 L25 22 Z" fill="var(--accent-text)" />
        </svg>
        <span>Quarry</span>
      </div>
      <nav aria-label="Main">
        <a href="/log-search/create" className="nav-link" aria-current="page">
          Search
        </a>
      </nav>
      <div className="top-bar-end">
        <ThemeToggle theme={props.theme} onToggle={props.onToggleTheme} />
        <div className="menu-anchor">
          <button
            ref={button}
            type="button"
            className="user-button"
            aria-haspopup="menu"
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
          >
            <span className="avatar" aria-hidden="true">
              {props.username.slice(0, 1).toUpperCase()}
            </span>
            {props.username}
          </button>
          {open && (
            <div className="menu" role="menu" aria-label="Account" ref={menu} onKeyDown={onMenuKey}>
              <button type="button" role="menuitem" onClick={choose(props.onChangePassword)}>
                Change password
              </button>
              {!props.followsSystem && (
                <button type="button" role="menuitem" onClick={choose(props.onFollowSystem)}>
                  Follow system theme
                </button>
              )}
              <div className="menu-separator" role="separator" />
              <button type="button" role="menuitem" onClick={choose(props.onSignOut)}>
                Sign out
              </button>
            </div>
          )}
        </div>
      </div>
    </header>
  );
}
