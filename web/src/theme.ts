/** Light and dark themes: the OS decides until the user picks one; the pick is remembered. */
export type ThemeChoice = 'light' | 'dark' | 'system';
export type Theme = 'light' | 'dark';

const KEY = 'quarry.theme';
const media = (): MediaQueryList => window.matchMedia('(prefers-color-scheme: dark)');

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

export function effectiveTheme(choice: ThemeChoice): Theme {
  if (choice !== 'system') return choice;
  return media().matches ? 'dark' : 'light';
}

export function applyTheme(choice: ThemeChoice): Theme {
  const theme = effectiveTheme(choice);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  return theme;
}

export function storeThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

/** Follows OS changes while the choice is `system`; returns the unsubscribe function. */
export function watchSystemTheme(onChange: () => void): () => void {
  const list = media();
  list.addEventListener('change', onChange);
  return () => list.removeEventListener('change', onChange);
}
