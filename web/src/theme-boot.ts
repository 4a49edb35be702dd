// Runs before the app renders so the first paint already has the right theme (no flash).
import { applyTheme, readThemeChoice } from './theme';

applyTheme(readThemeChoice());
